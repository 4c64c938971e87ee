"""The Excel framework: header checks, row errors as 第N行 字段: 原因, templates, streaming export."""
from __future__ import annotations

import datetime
import io
import zipfile

import pytest
from openpyxl import Workbook, load_workbook

from techmarket.core.errors import ApplicationError, ErrorItem
from techmarket.core.xlsx import (
    INSTRUCTIONS_SHEET,
    MAX_REPORTED_ERRORS,
    OPTIONS_SHEET,
    CodeTable,
    Column,
    Importer,
    ImportRefused,
    cell_error,
    cell_text,
    count_data_rows,
    declare_dimension,
    importer_class,
    normalize_header,
    read_sheet,
    template_workbook,
    validate_file,
    write_workbook,
)

COLUMNS = [
    Column("code", "代码", required=True, text=True, help="6 位数字"),
    Column("name", "名称", required=True),
    Column("colour", "颜色", choices=("红", "绿", "蓝"), help="从下拉列表选择"),
    Column("tags", "标签", multiple=True, choices=("甲", "乙")),
    Column("id", "编号", importable=False),
]


class Widgets(Importer):
    """A registry of widgets for the framework's tests: a code of six digits and a colour."""

    kind = "test-widgets"
    label = "部件"
    sheet_title = "部件"

    @classmethod
    def columns(cls):
        return COLUMNS

    def notes(self):
        return ["每行一个部件。"]

    def code_tables(self):
        return [CodeTable("颜色代码表", ("代码", "名称"), [("R", "红"), ("G", "绿")])]

    def prepare(self, rows):
        self.seen = {}
        self.duplicates = []
        for number, data in rows:
            code = cell_text(data.get("code"))
            if code in self.seen:
                self.duplicates.append(cell_error(number, "代码", f"与第{self.seen[code]}行重复"))
            self.seen.setdefault(code, number)

    def clean(self, data):
        errors = []
        code = cell_text(data.get("code"))
        if not (code.isdigit() and len(code) == 6):
            errors.append(ErrorItem("code", "invalid", f"“{code}”不是 6 位数字"))
        colour = cell_text(data.get("colour"))
        if colour and colour not in ("红", "绿", "蓝"):
            errors.append(ErrorItem("colour", "invalid_choice", f"“{colour}”不是有效的选项"))
        if errors:
            raise ApplicationError(errors=errors)
        return {"code": code, "name": cell_text(data.get("name")), "colour": colour}

    def check_rows(self, cleaned):
        return self.duplicates


def workbook_bytes(rows, *, sheets=None) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.title = "部件"
    for row in rows:
        ws.append(row)
    for title, extra in (sheets or {}).items():
        other = wb.create_sheet(title, 0)
        for row in extra:
            other.append(row)
    buffer = io.BytesIO()
    wb.save(buffer)
    buffer.seek(0)
    return buffer


def messages(exc) -> list[str]:
    return [e.message for e in exc.errors]


class TestReadSheet:
    def test_rows_keep_their_excel_numbers_and_blank_rows_are_skipped(self):
        # given
        source = workbook_bytes([["代码", "名称"], ["410105", "甲"], [None, "  "], ["410106", "乙"]])
        # when
        sheet = read_sheet(source, COLUMNS)
        # then
        assert [(n, d) for n, d in sheet.dicts()] == [(2, {"code": "410105", "name": "甲"}),
                                                      (4, {"code": "410106", "name": "乙"})]

    def test_required_marks_and_blanks_in_headers_are_ignored(self):
        assert normalize_header(" 代码* ") == "代码"
        assert normalize_header("名称（必填）") == "名称"
        assert normalize_header("名\u3000称") == "名称"

    def test_missing_unknown_and_repeated_columns_are_all_named(self):
        # given
        source = workbook_bytes([["名称", "重量", "颜色", "颜色"], ["甲", 1, "红", "红"]])
        # when
        with pytest.raises(ImportRefused) as refused:
            read_sheet(source, COLUMNS)
        # then
        assert messages(refused.value) == [
            "表头: 缺少必填列“代码”",
            "表头: 无法识别的列“重量”（第 B 列），请使用导入模板中的列名",
            "表头: 列“颜色”重复（第 C 列和第 D 列）",
        ]

    def test_export_only_columns_are_accepted_and_ignored(self):
        # given
        source = workbook_bytes([["编号", "代码", "名称"], [7, "410105", "甲"]])
        # when
        [(number, data)] = list(read_sheet(source, COLUMNS).dicts())
        # then
        assert data == {"code": "410105", "name": "甲"}

    def test_header_only_file_has_no_data_rows(self):
        with pytest.raises(ApplicationError) as refused:
            read_sheet(workbook_bytes([["代码", "名称"], [None, None]]), COLUMNS)
        assert messages(refused.value) == ["文件中没有数据行"]

    def test_empty_workbook_has_no_data_rows(self):
        with pytest.raises(ApplicationError) as refused:
            read_sheet(workbook_bytes([]), COLUMNS)
        assert messages(refused.value) == ["文件中没有数据行"]

    @pytest.mark.parametrize("content", [b"not a workbook at all", "代码,名称\n1,2\n".encode("gbk"), b""])
    def test_other_files_are_not_excel(self, content):
        with pytest.raises(ApplicationError) as refused:
            read_sheet(io.BytesIO(content), COLUMNS)
        assert messages(refused.value) == ["文件不是有效的 Excel (.xlsx) 文件"]

    def test_a_zip_that_is_not_a_workbook_is_not_excel(self):
        # given
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w") as archive:
            archive.writestr("readme.txt", "hello")
        # then
        with pytest.raises(ApplicationError) as refused:
            read_sheet(buffer, COLUMNS)
        assert messages(refused.value) == ["文件不是有效的 Excel (.xlsx) 文件"]

    def test_the_instructions_sheet_is_skipped_when_it_comes_first(self):
        # given
        source = workbook_bytes([["代码", "名称"], ["410105", "甲"]], sheets={INSTRUCTIONS_SHEET: [["说明"]]})
        # then
        assert len(read_sheet(source, COLUMNS).rows) == 1

    def test_a_wrong_declared_size_loses_no_rows(self):
        # given: a sheet that claims 2 rows and holds 5
        wb = Workbook(write_only=True)
        ws = wb.create_sheet("部件")
        declare_dimension(ws, rows=2, columns=2)
        ws.append(["代码", "名称"])
        for i in range(4):
            ws.append([f"41010{i}", f"部件{i}"])
        buffer = io.BytesIO()
        wb.save(buffer)
        # when
        sheet = read_sheet(buffer, COLUMNS)
        # then
        assert [n for n, _v in sheet.rows] == [2, 3, 4, 5]


class TestValidateFile:
    def test_good_rows_come_back_cleaned_with_their_numbers(self):
        # given
        source = workbook_bytes([["代码", "名称", "颜色"], ["410105", "甲", "红"], [410106, "乙", None]])
        # when
        cleaned = validate_file(Widgets(by=None), source)
        # then
        assert cleaned == [(2, {"code": "410105", "name": "甲", "colour": "红"}),
                           (3, {"code": "410106", "name": "乙", "colour": ""})]

    def test_errors_name_row_and_column_in_reading_order(self):
        # given
        source = workbook_bytes([["颜色", "代码", "名称"], ["紫", "41", "甲"], ["红", "410105", "乙"],
                                 ["红", "410105", "丙"], ["红", "abc", "丁"]])
        # when
        with pytest.raises(ImportRefused) as refused:
            validate_file(Widgets(by=None), source)
        # then
        assert messages(refused.value) == [
            "第2行 颜色: “紫”不是有效的选项",
            "第2行 代码: “41”不是 6 位数字",
            "第4行 代码: 与第3行重复",
            "第5行 代码: “abc”不是 6 位数字",
        ]
        assert refused.value.errors[0].field == "第2行 颜色" and refused.value.errors[0].code == "invalid_choice"

    def test_a_systematic_mistake_is_reported_up_to_the_cap(self):
        # given
        rows = [["代码", "名称"]] + [[f"bad{i}", "甲"] for i in range(MAX_REPORTED_ERRORS + 5)]
        # when
        with pytest.raises(ImportRefused) as refused:
            validate_file(Widgets(by=None), workbook_bytes(rows))
        # then
        assert len(refused.value.errors) == MAX_REPORTED_ERRORS + 1
        assert refused.value.errors[-1].message == "另有 5 处错误未列出，请先修正以上错误"

    def test_progress_is_reported_while_validating(self):
        # given
        rows = [["代码", "名称"]] + [[f"{410100 + i}", "甲"] for i in range(25)]
        calls = []
        # when
        validate_file(Widgets(by=None), workbook_bytes(rows), progress=lambda n, total: calls.append((n, total)),
                      progress_every=10)
        # then
        assert calls == [(0, 25), (10, 25), (20, 25), (25, 25)]


class TestCellText:
    @pytest.mark.parametrize("value, text", [
        (None, ""), ("  甲 ", "甲"), (2.0, "2"), (2.5, "2.5"), (410105, "410105"),
        (datetime.datetime(2024, 5, 6), "2024-05-06"), (datetime.date(2024, 5, 6), "2024-05-06"),
    ])
    def test_cells_become_text(self, value, text):
        assert cell_text(value) == text


class TestTemplateWorkbook:
    def test_template_has_header_instructions_dropdowns_and_code_tables(self):
        # when
        wb = template_workbook(Widgets(by=None))
        buffer = io.BytesIO()
        wb.save(buffer)
        wb = load_workbook(io.BytesIO(buffer.getvalue()))
        # then
        data = wb.worksheets[0]
        assert [c.value for c in data[1]] == ["代码", "名称", "颜色", "标签"]  # export-only columns left out
        assert data.freeze_panes == "A2"
        assert wb.sheetnames[1] == INSTRUCTIONS_SHEET and "颜色代码表" in wb.sheetnames
        assert wb[OPTIONS_SHEET].sheet_state == "hidden"
        [validation] = data.data_validations.dataValidation  # 颜色 only: 标签 takes several values
        assert str(validation.sqref).startswith("C2:") and OPTIONS_SHEET in validation.formula1
        assert data.column_dimensions["A"].number_format == "@"
        notes = [r for r in wb[INSTRUCTIONS_SHEET].iter_rows(values_only=True) if r and r[0]]
        assert ("每行一个部件。",) == notes[1][:1]
        by_column = {r[0]: r for r in notes}
        assert by_column["代码"][1:3] == ("必填", "6 位数字") and by_column["颜色"][3] == "红、绿、蓝"


class TestWriteWorkbook:
    def test_rows_are_streamed_with_dates_lists_and_the_declared_size(self):
        # given
        buffer = io.BytesIO()
        rows = [["410105", "甲", datetime.date(2024, 5, 6), ["甲", "乙"], ""], ["410106", "乙", None, [], None]]
        # when
        count = write_workbook(buffer, COLUMNS, iter(rows), title="部件", row_count=2)
        # then
        assert count == 2
        ws = load_workbook(io.BytesIO(buffer.getvalue()), read_only=True).worksheets[0]
        assert ws.max_row == 3
        values = list(ws.iter_rows(values_only=True))
        assert values[0] == ("代码", "名称", "颜色", "标签", "编号")
        assert values[1][:4] == ("410105", "甲", datetime.datetime(2024, 5, 6), "甲，乙")
        assert values[1][4] is None and values[2][2:4] == (None, None)

    def test_never_more_rows_than_declared(self):
        buffer = io.BytesIO()
        assert write_workbook(buffer, COLUMNS, iter([["1"], ["2"], ["3"]]), title="部件", row_count=2) == 2


class TestCountDataRows:
    def test_declared_size_is_used(self):
        assert count_data_rows(workbook_bytes([["代码"], ["1"], ["2"], ["3"]])) == 3

    def test_files_without_a_declared_size_are_counted_up_to_the_limit(self):
        # given
        wb = Workbook(write_only=True)
        ws = wb.create_sheet("部件")
        for i in range(50):
            ws.append([str(i)])
        buffer = io.BytesIO()
        wb.save(buffer)
        # then
        assert count_data_rows(buffer) == 49
        assert count_data_rows(buffer, stop_after=10) == 11


class TestImporterRegistry:
    def test_registries_are_found_by_kind(self):
        assert importer_class("organizations").label == "单位"

    def test_unknown_kind(self):
        with pytest.raises(LookupError):
            importer_class("no-such-registry")
