import datetime
from io import StringIO

import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command

from techmarket.core.errors import ApplicationError
from techmarket.scheduling.models import CalendarDay
from techmarket.scheduling.services import CALENDAR_CSV, calendar_load_csv
from techmarket.scheduling.workdays import add_working_days, is_working_day, working_days_between

D = datetime.date
pytestmark = pytest.mark.django_db


def official_rows(year: int, kind: str) -> list[datetime.date]:
    return list(CalendarDay.objects.filter(date__year=year, kind=kind).values_list("date", flat=True))


class TestShippedCalendar:
    """The State Council arrangements shipped in data/cn_public_holidays.csv, loaded by migration 0002."""

    def test_2025_holidays_match_guobanfamingdian_2024_12(self):
        # when
        holidays = official_rows(2025, CalendarDay.Kind.HOLIDAY)
        # then: 元旦 1, 春节 8, 清明 3, 劳动节 5, 端午 3, 国庆中秋 8
        assert len(holidays) == 28
        for first, last in [(D(2025, 1, 1), D(2025, 1, 1)), (D(2025, 1, 28), D(2025, 2, 4)),
                            (D(2025, 4, 4), D(2025, 4, 6)), (D(2025, 5, 1), D(2025, 5, 5)),
                            (D(2025, 5, 31), D(2025, 6, 2)), (D(2025, 10, 1), D(2025, 10, 8))]:
            span = [first + datetime.timedelta(days=i) for i in range((last - first).days + 1)]
            assert set(span) <= set(holidays), (first, last)

    def test_2025_adjusted_workdays(self):
        # when / then
        assert official_rows(2025, CalendarDay.Kind.WORKDAY) == [
            D(2025, 1, 26), D(2025, 2, 8), D(2025, 4, 27), D(2025, 9, 28), D(2025, 10, 11)]

    def test_2026_arrangement(self):
        # when
        holidays = set(official_rows(2026, CalendarDay.Kind.HOLIDAY))
        # then
        assert len(holidays) == 33
        assert {D(2026, 2, 15), D(2026, 2, 23), D(2026, 6, 19), D(2026, 9, 25), D(2026, 10, 7)} <= holidays
        assert D(2026, 10, 8) not in holidays
        assert official_rows(2026, CalendarDay.Kind.WORKDAY) == [
            D(2026, 1, 4), D(2026, 2, 14), D(2026, 2, 28), D(2026, 5, 9), D(2026, 9, 20), D(2026, 10, 10)]

    def test_every_row_names_its_source(self):
        # when / then
        assert not CalendarDay.objects.filter(source="").exists()
        assert CalendarDay.objects.filter(date__year=2025, source__contains="国办发明电〔2024〕12号").count() == 33


class TestIsWorkingDay:
    @pytest.mark.parametrize("day, expected", [
        (D(2025, 9, 30), True),    # Tuesday
        (D(2025, 10, 1), False),   # 国庆节
        (D(2025, 10, 8), False),   # Wednesday inside 国庆+中秋
        (D(2025, 10, 11), True),   # Saturday, 调休上班
        (D(2025, 9, 28), True),    # Sunday, 调休上班
        (D(2025, 9, 27), False),   # plain Saturday
        (D(2025, 4, 5), False),    # Saturday inside 清明
        (D(2026, 2, 14), True),    # Saturday before 春节 2026
        (D(2026, 2, 23), False),   # Monday, last day of 春节 2026
    ])
    def test_official_calendar(self, day, expected):
        # when / then
        assert is_working_day(day) is expected

    def test_year_without_data_falls_back_to_weekdays(self):
        # when / then
        assert is_working_day(D(2030, 1, 1)) is True   # Tuesday; 2030 not loaded
        assert is_working_day(D(2030, 1, 5)) is False  # Saturday

    def test_refuses_datetime(self):
        # when / then
        with pytest.raises(TypeError):
            is_working_day(datetime.datetime(2025, 10, 1, 12, 0))


class TestAddWorkingDays:
    def test_public_notice_across_national_day_2025(self):
        """A 公示 of 5 working days starting Friday 26 September 2025 ends Friday 10 October:
        9-28 (调休 Sunday), 9-29, 9-30, then 10-1 … 10-8 off, 10-9, 10-10."""
        # when
        end = add_working_days(D(2025, 9, 26), 5)
        # then
        assert end == D(2025, 10, 10)

    def test_public_notice_of_fifteen_working_days_across_national_day_2026(self):
        # given: published Thursday 17 September 2026; 中秋 9-25…27, 国庆 10-1…7, 9-20 and 10-10 worked
        start = D(2026, 9, 17)
        # when
        end = add_working_days(start, 15)
        # then: 9-18, 9-20, 9-21, 9-22, 9-23, 9-24, 9-28, 9-29, 9-30, 10-8, 10-9, 10-10, 10-12, 10-13, 10-14
        assert end == D(2026, 10, 14)
        assert working_days_between(start, end) == 15

    def test_start_day_is_not_counted(self):
        # when / then: Monday + 1 working day is Tuesday
        assert add_working_days(D(2025, 3, 3), 1) == D(2025, 3, 4)

    def test_spring_festival_2025(self):
        # given: Monday 27 January 2025, the day before 除夕
        # when / then: 2-4 is the last day off; 2-5 is the first working day
        assert add_working_days(D(2025, 1, 27), 1) == D(2025, 2, 5)

    def test_zero_is_start(self):
        # when / then
        assert add_working_days(D(2025, 10, 3), 0) == D(2025, 10, 3)

    def test_negative_counts_backwards(self):
        # when / then: the working day before 9 October 2025 is 30 September
        assert add_working_days(D(2025, 10, 9), -1) == D(2025, 9, 30)
        assert add_working_days(D(2025, 10, 12), -2) == D(2025, 10, 10)

    def test_long_period_spans_years(self):
        # when
        end = add_working_days(D(2025, 1, 1), 250)
        # then
        assert working_days_between(D(2025, 1, 1), end) == 250
        assert is_working_day(end)

    def test_calendar_edits_take_effect(self):
        # given: a city declares an extra local holiday on Monday 3 March 2025
        CalendarDay.objects.create(date=D(2025, 3, 3), kind=CalendarDay.Kind.HOLIDAY, name="地方假日")
        # when / then
        assert add_working_days(D(2025, 2, 28), 1) == D(2025, 3, 4)


class TestWorkingDaysBetween:
    def test_counts_half_open_interval(self):
        # when / then: (Fri 26 Sep, Fri 10 Oct 2025]
        assert working_days_between(D(2025, 9, 26), D(2025, 10, 10)) == 5

    def test_same_day_is_zero(self):
        # when / then
        assert working_days_between(D(2025, 10, 1), D(2025, 10, 1)) == 0

    def test_reversed_is_negative_and_inverse_of_add(self):
        # given
        start = D(2025, 10, 11)  # a 调休 Saturday
        for n in range(-12, 13):
            # when
            end = add_working_days(start, n)
            # then
            assert working_days_between(start, end) == n, n

    def test_whole_holiday_has_no_working_days(self):
        # when / then
        assert working_days_between(D(2025, 9, 30), D(2025, 10, 8)) == 0


class TestCalendarDayClean:
    def test_adjusted_workday_must_fall_on_weekend(self):
        # given
        day = CalendarDay(date=D(2027, 3, 3), kind=CalendarDay.Kind.WORKDAY, name="春节")
        # when / then
        with pytest.raises(ValidationError) as exc:
            day.full_clean()
        assert "周六或周日" in exc.value.message_dict["kind"][0]


class TestCalendarLoadCsv:
    def write(self, tmp_path, body: str):
        path = tmp_path / "days.csv"
        path.write_text("# 测试\ndate,kind,name,source\n" + body, encoding="utf-8")
        return path

    def test_shipped_file_is_already_loaded(self):
        # when
        counts = calendar_load_csv()
        # then
        assert counts == {"created": 0, "updated": 0, "unchanged": 72}

    def test_loads_new_year_and_keeps_existing_dates(self, tmp_path):
        # given: an administrator renamed a 2025 day; the file holds that day and a 2027 day
        CalendarDay.objects.filter(date=D(2025, 1, 1)).update(name="新年")
        path = self.write(tmp_path, "2025-01-01,holiday,元旦,x\n2027-01-01,holiday,元旦,国办发明电\n")
        # when
        counts = calendar_load_csv(path=path)
        # then
        assert counts == {"created": 1, "updated": 0, "unchanged": 1}
        assert CalendarDay.objects.get(date=D(2025, 1, 1)).name == "新年"
        assert CalendarDay.objects.get(date=D(2027, 1, 1)).source == "国办发明电"

    def test_update_overwrites(self, tmp_path):
        # given
        CalendarDay.objects.filter(date=D(2025, 1, 1)).update(name="新年")
        path = self.write(tmp_path, "2025-01-01,holiday,元旦,x\n")
        # when
        counts = calendar_load_csv(path=path, update=True)
        # then
        assert counts["updated"] == 1 and CalendarDay.objects.get(date=D(2025, 1, 1)).name == "元旦"

    def test_bad_rows_are_all_reported_and_nothing_is_written(self, tmp_path):
        # given
        path = self.write(tmp_path, "2027-01-01,holiday,元旦,\n2027-13-01,holiday,元旦,\n"
                                    "2027-01-06,workday,春节,\n2027-01-09,rest,,\n")
        # when
        with pytest.raises(ApplicationError) as exc:
            calendar_load_csv(path=path)
        # then: line numbers are the file's (after the comment and header lines)
        messages = [e.message for e in exc.value.errors]
        assert messages[0].startswith("第4行 date:")
        assert any(m.startswith("第5行 kind:") and "周一至周五" in m for m in messages)
        assert any(m.startswith("第6行 kind:") for m in messages)
        assert any(m.startswith("第6行 name:") for m in messages)
        assert not CalendarDay.objects.filter(date__year=2027).exists()

    def test_shipped_file_parses(self):
        # when
        text = CALENDAR_CSV.read_text(encoding="utf-8")
        # then
        assert "国办发明电〔2024〕12号" in text and "国办发明电〔2025〕7号" in text


class TestLoadCalendarCommand:
    def test_dry_run_writes_nothing(self, tmp_path):
        # given
        path = tmp_path / "d.csv"
        path.write_text("date,kind,name,source\n2027-01-01,holiday,元旦,\n", encoding="utf-8")
        out = StringIO()
        # when
        call_command("scheduling_load_calendar", str(path), stdout=out)
        # then
        assert "将新增 1 天" in out.getvalue() and "试运行" in out.getvalue()
        assert not CalendarDay.objects.filter(date=D(2027, 1, 1)).exists()

    def test_commit_writes(self, tmp_path):
        # given
        path = tmp_path / "d.csv"
        path.write_text("date,kind,name,source\n2027-01-01,holiday,元旦,\n", encoding="utf-8")
        # when
        call_command("scheduling_load_calendar", str(path), "--commit", stdout=StringIO())
        # then
        assert CalendarDay.objects.filter(date=D(2027, 1, 1)).exists()

    def test_bad_file_fails_with_rows(self, tmp_path):
        # given
        path = tmp_path / "d.csv"
        path.write_text("date,kind,name\n2027-01-04,workday,春节\n", encoding="utf-8")
        # when / then
        with pytest.raises(CommandError, match="第2行 kind"):
            call_command("scheduling_load_calendar", str(path), "--commit", stdout=StringIO())
