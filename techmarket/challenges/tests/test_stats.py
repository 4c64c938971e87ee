"""Statistics of 揭榜挂帅 (issue 7 item 7): figures by field and district, the total row, the year of
publication, the scope of the caller; the staff page with its charts and the dashboard card."""
from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils import timezone

from techmarket.accounts.roles import Role
from techmarket.challenges import delivery
from techmarket.challenges.stats import challenge_stats, challenge_stats_headline
from techmarket.core.errors import ApplicationError
from techmarket.core.tests import factories
from techmarket.listings.tests.factories import as_user

from . import factories as f
from .test_delivery import in_acceptance
from .test_review import awarded

pytestmark = pytest.mark.django_db

PAGE = "/manage/challenges/stats/"


def _by_key(rows) -> dict:
    return {r["key"]: r for r in rows}


@pytest.fixture
def zhongyuan_challenge(enterprise, officer_out, bureau, institution):
    """A published challenge of 中原制造 (中原区) in 生物与新医药 (20), with one submitted application."""
    challenge = f.challenge_in_state("published", setter=enterprise, officer=officer_out, bureau=bureau,
                                     demand=f.published_demand(setter=enterprise, bureau=bureau,
                                                               tech_field=f.term("hitech_domains", "201")))
    f.submitted_application(challenge=challenge, by=institution)
    return challenge


class TestChallengeStats:
    def test_rows_by_field_with_a_total(self, cast, make_challenge, zhongyuan_challenge):
        # given: 金水区 — one awarded (电子信息), one draft (not counted); 中原区 — one published (生物与新医药)
        awarded(cast, make_challenge)
        make_challenge("draft")
        # when
        rows = challenge_stats(user=cast.bureau, group_by="field")
        # then
        by_key = _by_key(rows)
        assert [r["key"] for r in rows] == ["10", "20", "total"]
        assert by_key["10"]["label"] == "电子信息" and by_key["20"]["label"] == "生物与新医药"
        assert by_key["10"]["published"] == 1 and by_key["10"]["awarded"] == 1
        assert by_key["10"]["awarded_amount_fen"] == 50_000_000
        assert by_key["20"]["applications"] == 1 and by_key["20"]["awarded_amount_fen"] == 0
        total = by_key["total"]
        assert (total["published"], total["applications"], total["awarded"]) == (2, 2, 1)
        assert total["applications_per_challenge"] == Decimal("1.00")
        assert total["median_days_to_award"] == Decimal("0.0") and total["acceptance_rate"] is None

    def test_rows_by_district_and_the_scope_of_a_district_officer(self, cast, make_challenge, zhongyuan_challenge,
                                                                  officer_out):
        make_challenge("published")
        rows = challenge_stats(user=cast.bureau, group_by="district")
        assert [(r["key"], r["label"], r["published"]) for r in rows] == [
            ("410102", "中原区", 1), ("410105", "金水区", 1), ("total", "合计", 2)]
        # the officer of 金水区 sees 金水区 only, and never 中原区
        assert [r["key"] for r in challenge_stats(user=cast.officer, group_by="district")] == ["410105", "total"]
        with pytest.raises(Http404):
            challenge_stats(user=officer_out, region="410105")

    def test_acceptance_rate_and_median_days(self, cast, make_challenge):
        # given: two projects at acceptance, one passed and one failed
        first, _review = in_acceptance(cast, make_challenge)
        delivery.acceptance_opinion_save(review=_review, by=cast.expert_user, outcome="passed", opinion="达标")
        delivery.acceptance_decide(challenge=first, by=cast.bureau, outcome="passed", conclusion="通过")
        second, review2 = in_acceptance(cast, make_challenge)
        delivery.acceptance_opinion_save(review=review2, by=cast.expert_user, outcome="failed", opinion="未达标")
        delivery.acceptance_decide(challenge=second, by=cast.bureau, outcome="failed", conclusion="不通过")
        # when
        total = challenge_stats_headline(user=cast.bureau)
        # then
        assert (total["accepted"], total["failed"], total["acceptance_rate"]) == (1, 1, Decimal("50.0"))
        assert total["awarded"] == 2 and total["awarded_amount_fen"] == 2 * 50_000_000

    def test_the_year_is_the_year_of_publication(self, cast, make_challenge):
        make_challenge("published")
        this_year = timezone.localdate().year
        assert challenge_stats_headline(user=cast.bureau, year=this_year)["published"] == 1
        assert challenge_stats_headline(user=cast.bureau, year=this_year - 1)["published"] == 0
        assert challenge_stats(user=cast.bureau, year=this_year - 1) == [challenge_stats(
            user=cast.bureau, year=this_year - 1)[-1]]  # only the total row

    def test_only_staff_read_them(self, cast, enterprise, anonymous):
        for user in (cast.setter, enterprise, anonymous, cast.expert_user):
            with pytest.raises(PermissionDenied):
                challenge_stats(user=user)

    def test_bad_parameters_name_the_field(self, cast):
        with pytest.raises(ApplicationError) as exc:
            challenge_stats(user=cast.bureau, group_by="month", year="20x6")
        assert {e.field for e in exc.value.errors} == {"group_by", "year"}
        with pytest.raises(ApplicationError) as exc:
            challenge_stats(user=cast.bureau, region="999999")
        assert exc.value.errors[0].field == "region"

    def test_a_superuser_sees_every_region(self, cast, make_challenge, bureau_other, regions):
        make_challenge("published")
        admin = factories.user("root", is_superuser=True, roles=[Role.BUREAU_ADMIN])
        assert challenge_stats_headline(user=admin)["published"] == 1
        district = challenge_stats(user=admin, group_by="district")
        assert district[0]["label"] == "郑州市金水区"
        assert challenge_stats_headline(user=bureau_other)["published"] == 0  # 鹤壁's bureau: another city


class TestChallengeStatsPage:
    def test_staff_see_the_page_with_charts_and_tables(self, client, cast, make_challenge):
        make_challenge("published")
        response = as_user(client, cast.bureau).get(PAGE)
        assert response.status_code == 200
        html = response.content.decode()
        assert "揭榜挂帅统计" in html and 'id="table-field"' in html and 'id="table-district"' in html
        assert html.count("data-echarts-option") == 2 and "电子信息" in html and "金水区" in html

    def test_a_bad_filter_is_reported_not_fatal(self, client, cast):
        response = as_user(client, cast.bureau).get(PAGE + "?year=abc")
        assert response.status_code == 200 and "年度应为" in response.content.decode()

    def test_others_are_refused(self, client, cast, officer_out):
        assert client.get(PAGE).status_code == 302  # to the login page
        assert as_user(client, cast.setter).get(PAGE).status_code == 403
        assert as_user(client, officer_out).get(PAGE + "?region=410105").status_code == 404

    def test_the_dashboard_card(self, client, cast, make_challenge):
        make_challenge("published")
        html = as_user(client, cast.bureau).get(PAGE + "?card=1").content.decode()
        year = timezone.localdate().year
        assert 'id="challenge-stats-card"' in html and f"{year}年：发榜 1 项" in html
        assert as_user(client, cast.setter).get(PAGE + "?card=1").content == b""

    def test_last_year_is_offered_when_there_was_a_publication(self, client, cast, make_challenge):
        from freezegun import freeze_time

        last_year = timezone.localdate().year - 1
        with freeze_time(datetime.datetime(last_year, 6, 1, 10, 0, tzinfo=datetime.timezone.utc)):
            make_challenge("published", application_deadline=f.deadline())
        html = as_user(client, cast.bureau).get(PAGE).content.decode()
        assert f'<option value="{last_year}">{last_year}年</option>' in html
