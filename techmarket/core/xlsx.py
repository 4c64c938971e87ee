"""Excel (.xlsx) import and export framework (SPEC R6, STYLE §5.9).

* ``Column``: one column of a registry sheet: Chinese header, required or not, format help,
  allowed values (a dropdown when they are a short list).
* ``template_response()`` / ``template_workbook()``: the blank template people fill in: the header
  row (frozen), a 填写说明 sheet explaining every column, dropdowns, and code tables.
* ``read_sheet()``: the header check and the data rows, read with openpyxl in read-only mode
  (``values_only``), so a 100,000-row file never becomes 100,000 cell objects.
* ``Importer`` and ``validate_file()``: every row is validated first by plain per-row functions with
  bulk lookups; nothing is written unless every row is good. Errors read ``第N行 字段: 原因``
  (N is the Excel row number, the header being row 1; 字段 the Chinese column name).
  Writing, auditing and background jobs are in ``core/jobs.py``.
* ``xlsx_response()``: a streaming export (write-only mode).

Registries subclass ``Importer`` in their app's ``importers.py`` and register it with
``@register_importer``; ``importer_class(kind)`` finds it (the modules are auto-discovered).
"""
from __future__ import annotations

import datetime
import re
import tempfile
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from itertools import islice
from typing import Any, ClassVar

from django.core.exceptions import ValidationError
from django.http import FileResponse
from django.utils.module_loading import autodiscover_modules
from django.utils.translation import gettext as _

from .errors import ApplicationError, ErrorItem

INSTRUCTIONS_SHEET = "填写说明"
OPTIONS_SHEET = "下拉选项"
TEMPLATE_DATA_ROWS = 5000           # rows of the template that carry dropdowns and text formats
DROPDOWN_MAX_CHOICES = 60           # longer lists become a code table instead of a dropdown
MAX_REPORTED_ERRORS = 1000          # a file with a systematic mistake should not produce 100k messages
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@dataclass(frozen=True)
class Column:
    """One column of a registry sheet.

    ``key`` is the service field name; ``header`` the Chinese column name people see and that the
    import matches. ``importable=False`` marks columns an export writes for reading (record id,
    region name) that an import accepts and ignores.
    """

    key: str
    header: str
    required: bool = False
    help: str = ""
    choices: tuple[str, ...] = ()
    multiple: bool = False
    example: str = ""
    width: int = 18
    text: bool = False
    importable: bool = True

    @property
    def dropdown(self) -> bool:
        return bool(self.choices) and not self.multiple and len(self.choices) <= DROPDOWN_MAX_CHOICES


@dataclass(frozen=True)
class CodeTable:
    """A reference sheet in the template (e.g. 技术领域代码表): a title, headers and rows."""

    title: str
    headers: tuple[str, ...]
    rows: Sequence[Sequence[Any]]


# Errors -------------------------------------------------------------------------------------------

def cell_error(row: int, header: str | None, message: str, code: str = "invalid") -> ErrorItem:
    """``第N行 字段: 原因``: the field names the row and the column, the message carries all of it."""
    where = _("第{row}行 {header}").format(row=row, header=header) if header else \
        _("第{row}行").format(row=row)
    return ErrorItem(where, code, f"{where}: {message}")


def header_error(message: str, code: str = "invalid_header") -> ErrorItem:
    where = _("表头")
    return ErrorItem(where, code, f"{where}: {message}")


def invalid_file_error() -> ApplicationError:
    return ApplicationError(_("文件不是有效的 Excel (.xlsx) 文件"), field="file", code="invalid_file")


def empty_file_error() -> ApplicationError:
    return ApplicationError(_("文件中没有数据行"), field="file", code="empty_file")


class ImportRefused(ApplicationError):
    """The file was refused as a whole; ``errors`` lists every bad row and column."""

    def __init__(self, errors: list[ErrorItem], *, job=None):
        super().__init__(errors=errors)
        self.job = job


# Reading ------------------------------------------------------------------------------------------

_HEADER_NOISE = re.compile(r"[\s\u3000]+|[*＊]+$|[（(]必填[）)]$")


def normalize_header(value) -> str:
    """'单位名称*', ' 单位名称（必填）' and '单位名称' are the same column."""
    text = "" if value is None else str(value)
    previous = None
    while previous != text:
        previous, text = text, _HEADER_NOISE.sub("", text.strip())
    return text


def cell_text(value) -> str:
    """A cell as text: 2.0 → '2', a date → 'YYYY-MM-DD', None → ''."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime.datetime):
        if value.time() == datetime.time(0):
            return value.date().isoformat()
        return value.isoformat(sep=" ")
    if isinstance(value, datetime.date):
        return value.isoformat()
    return str(value).strip()


def is_blank(value) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


@dataclass
class Sheet:
    """The data of the first sheet: which column sits where, and the non-blank data rows."""

    positions: list[tuple[int, Column]]
    rows: list[tuple[int, tuple]] = field(default_factory=list)

    def dicts(self) -> Iterable[tuple[int, dict]]:
        """(Excel row number, {column key: raw cell value}) for importable columns."""
        positions = [(i, c.key) for i, c in self.positions if c.importable]
        for number, values in self.rows:
            width = len(values)
            yield number, {key: (values[i] if i < width else None) for i, key in positions}


def _open_workbook(source):
    from openpyxl import load_workbook

    if hasattr(source, "seek"):
        source.seek(0)
    try:
        return load_workbook(source, read_only=True, data_only=True, keep_links=False)
    except Exception as exc:  # zipfile.BadZipFile, InvalidFileException, KeyError, XML errors …
        raise invalid_file_error() from exc


def _data_worksheet(workbook):
    for ws in workbook.worksheets:
        if ws.title not in (INSTRUCTIONS_SHEET, OPTIONS_SHEET):
            return ws
    raise invalid_file_error()


def count_data_rows(source, *, stop_after: int | None = None) -> int:
    """Rows below the header as the file declares them (cheap: the dimension record only).

    Used to decide between an import in the request and a background job; blank rows at the end
    may be counted, which only errs toward the background. Files without a dimension record are
    counted row by row, stopping once ``stop_after`` data rows are exceeded.
    """
    workbook = _open_workbook(source)
    try:
        ws = _data_worksheet(workbook)
        max_row = ws.max_row
        if max_row is None:  # files without a <dimension> record
            max_row = 0
            for _row in ws.iter_rows(values_only=True):
                max_row += 1
                if stop_after is not None and max_row > stop_after + 1:
                    break
        return max(0, max_row - 1)
    except ApplicationError:
        raise
    except Exception as exc:
        raise invalid_file_error() from exc
    finally:
        workbook.close()


def read_sheet(source, columns: Sequence[Column]) -> Sheet:
    """Check the header row and return the data rows; raises ImportRefused / ApplicationError.

    Refuses missing required columns, unknown columns and repeated columns (all named at once),
    a file that is not an .xlsx workbook, and a file without data rows.
    """
    workbook = _open_workbook(source)
    try:
        ws = _data_worksheet(workbook)
        # Do not trust the declared size: files whose <dimension> is wrong would lose rows.
        ws.reset_dimensions()
        rows = ws.iter_rows(values_only=True)
        header = next(rows, None)
        if header is None or all(is_blank(v) for v in header):
            raise empty_file_error()
        positions = _match_header(header, columns)
        data: list[tuple[int, tuple]] = []
        append = data.append
        for number, values in enumerate(rows, start=2):
            for v in values:
                if v is not None and (not isinstance(v, str) or v.strip()):
                    append((number, values))
                    break
    except ApplicationError:
        raise
    except Exception as exc:  # a corrupt sheet part discovered while streaming
        raise invalid_file_error() from exc
    finally:
        workbook.close()
    if not data:
        raise empty_file_error()
    return Sheet(positions=positions, rows=data)


def _match_header(header: Sequence, columns: Sequence[Column]) -> list[tuple[int, Column]]:
    by_header = {normalize_header(c.header): c for c in columns}
    errors: list[ErrorItem] = []
    positions: list[tuple[int, Column]] = []
    seen: dict[str, int] = {}
    from openpyxl.utils import get_column_letter

    for i, raw in enumerate(header):
        name = normalize_header(raw)
        if not name:
            continue
        column = by_header.get(name)
        letter = get_column_letter(i + 1)
        if column is None:
            errors.append(header_error(_("无法识别的列“{h}”（第 {c} 列），请使用导入模板中的列名")
                                       .format(h=name, c=letter), "unknown_column"))
            continue
        if name in seen:
            errors.append(header_error(_("列“{h}”重复（第 {a} 列和第 {b} 列）")
                                       .format(h=name, a=get_column_letter(seen[name] + 1), b=letter),
                                       "duplicate_column"))
            continue
        seen[name] = i
        positions.append((i, column))
    present = {c.key for _i, c in positions}
    for column in columns:
        if column.required and column.importable and column.key not in present:
            errors.insert(0, header_error(_("缺少必填列“{h}”").format(h=column.header), "missing_column"))
    if errors:
        raise ImportRefused(errors)
    return positions


# Validation ---------------------------------------------------------------------------------------

class Importer:
    """One registry's import: subclasses declare the columns and turn rows into records.

    The protocol, called by ``validate_file`` and ``core.jobs``:

    1. ``prepare(rows)`` once with every raw row: bulk lookups (existing keys, resolvers);
    2. ``clean(data)`` per row: plain functions, raising ApplicationError whose items name the
       column ``key`` in ``field``; returns whatever ``write`` needs;
    3. ``check_rows(cleaned)`` once: cross-row rules (duplicates inside the file), returning
       ready-made ErrorItems (``cell_error``);
    4. ``write(cleaned)`` inside the import transaction: bulk inserts; returns
       ``[(model, created objects), …]`` with the registry's own model first, for the audit.
    """

    kind: ClassVar[str] = ""
    label: ClassVar[str] = ""
    model: ClassVar[type] = None  # type: ignore[assignment]
    sheet_title: ClassVar[str] = ""

    def __init__(self, *, by):
        self.by = by

    @classmethod
    def columns(cls) -> list[Column]:
        raise NotImplementedError

    @classmethod
    def may_import(cls, user) -> bool:
        raise NotImplementedError

    def notes(self) -> list[str]:
        """General instructions shown above the column table of the 填写说明 sheet."""
        return []

    def code_tables(self) -> list[CodeTable]:
        return []

    def prepare(self, rows: list[tuple[int, dict]]) -> None:
        pass

    def clean(self, data: dict) -> Any:
        raise NotImplementedError

    def check_rows(self, cleaned: list[tuple[int, Any]]) -> list[ErrorItem]:
        return []

    def write(self, cleaned: list[Any]) -> list[tuple[type, list]]:
        raise NotImplementedError

    # helpers for subclasses
    @classmethod
    def header_of(cls, key: str | None) -> str | None:
        if key is None:
            return None
        headers = cls.__dict__.get("_headers")
        if headers is None:
            headers = {c.key: c.header for c in cls.columns()}
            cls._headers = headers
        return headers.get(key, key)


def validate_file(importer: Importer, source, *,
                  progress: Callable[[int, int], None] | None = None,
                  progress_every: int = 1000) -> list[tuple[int, Any]]:
    """Read and validate the whole file; return ``[(row number, cleaned row)]`` or raise ImportRefused.

    ``progress(processed, total)`` is called every ``progress_every`` rows (background jobs).
    """
    sheet = read_sheet(source, importer.columns())
    rows = list(sheet.dicts())
    total = len(rows)
    if progress:
        progress(0, total)
    importer.prepare(rows)
    header_of = importer.header_of
    clean = importer.clean
    # Errors are listed as people read the sheet: by row, then left to right.
    position = {c.key: i for i, c in sheet.positions}
    position_of_header = {str(c.header): i for i, c in sheet.positions}
    errors: list[tuple[int, int, ErrorItem]] = []
    cleaned: list[tuple[int, Any]] = []
    for i, (number, data) in enumerate(rows, start=1):
        try:
            cleaned.append((number, clean(data)))
        except ApplicationError as exc:
            for item in exc.errors:
                errors.append((number, position.get(item.field, -1),
                               cell_error(number, header_of(item.field), item.message, item.code)))
        if progress and i % progress_every == 0:
            progress(i, total)
    for item in importer.check_rows(cleaned):
        header = (item.field or "").partition(" ")[2]
        errors.append((_row_of(item), position_of_header.get(header, -1), item))
    if errors:
        errors.sort(key=lambda entry: (entry[0], entry[1]))
        items = [item for _n, _p, item in errors[:MAX_REPORTED_ERRORS]]
        if len(errors) > MAX_REPORTED_ERRORS:
            items.append(ErrorItem(None, "too_many_errors",
                                   _("另有 {n} 处错误未列出，请先修正以上错误").format(n=len(errors) - MAX_REPORTED_ERRORS)))
        raise ImportRefused(items)
    if progress:
        progress(total, total)
    return cleaned


def _row_of(item: ErrorItem) -> int:
    match = re.match(r"第(\d+)行", item.field or "")
    return int(match.group(1)) if match else 0


def first_validation_message(exc: ValidationError) -> str:
    """A model field's validators ran: report the first failure (Django runs the field-specific
    validators — e-mail, URL, credit code — before the length check it appends)."""
    messages = exc.messages
    return messages[0] if messages else _("输入无效")


def insert_link_rows(through, source: str, target: str, pairs: Sequence[tuple[int, int]], *,
                     batch_size: int = 2000) -> None:
    """Many-to-many links in bulk through the through model's table: ``(source id, target id)`` pairs.

    ``bulk_create`` would build a model instance and run Django's per-value preparation for each
    link; links are two integers, so plain parameterised INSERTs do the same work several times
    faster: ``executemany`` of one prepared statement on SQLite, multi-row VALUES elsewhere (where
    executemany would be one statement per link).
    """
    from django.db import connections, router

    connection = connections[router.db_for_write(through)]
    meta = through._meta
    head = "INSERT INTO {t} ({a}, {b}) VALUES ".format(
        t=connection.ops.quote_name(meta.db_table), a=connection.ops.quote_name(meta.get_field(source).column),
        b=connection.ops.quote_name(meta.get_field(target).column))
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            for i in range(0, len(pairs), batch_size):
                cursor.executemany(head + "(%s, %s)", pairs[i:i + batch_size])
            return
        limit = connection.features.max_query_params
        size = min(batch_size, limit // 2) if limit else batch_size
        for i in range(0, len(pairs), size):
            chunk = pairs[i:i + size]
            cursor.execute(head + ", ".join(["(%s, %s)"] * len(chunk)), [v for pair in chunk for v in pair])


# Registry -----------------------------------------------------------------------------------------

_IMPORTERS: dict[str, type[Importer]] = {}
_discovered = False


def register_importer(cls: type[Importer]) -> type[Importer]:
    if not cls.kind:
        raise ValueError("an Importer needs a kind")
    _IMPORTERS[cls.kind] = cls
    return cls


def importer_class(kind: str) -> type[Importer]:
    """The importer registered for ``kind``; raises LookupError for an unknown kind."""
    global _discovered
    if not _discovered:
        autodiscover_modules("importers")
        _discovered = True
    try:
        return _IMPORTERS[kind]
    except KeyError:
        raise LookupError(kind) from None


# Templates ----------------------------------------------------------------------------------------

def template_workbook(importer: Importer):
    """The blank import template of one registry (an openpyxl Workbook)."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    columns = [c for c in importer.columns() if c.importable]
    wb = Workbook()
    ws = wb.active
    ws.title = str(importer.sheet_title or importer.label)[:31]
    bold = Font(bold=True)
    required_font = Font(bold=True, color="C00000")
    fill = PatternFill("solid", fgColor="DDEBF7")
    for i, column in enumerate(columns, start=1):
        cell = ws.cell(row=1, column=i, value=column.header)
        cell.font = required_font if column.required else bold
        cell.fill = fill
        cell.alignment = Alignment(horizontal="center", vertical="center")
        letter = get_column_letter(i)
        ws.column_dimensions[letter].width = column.width
        if column.text:
            ws.column_dimensions[letter].number_format = "@"
    ws.freeze_panes = "A2"

    dropdowns = [(i, c) for i, c in enumerate(columns, start=1) if c.dropdown]
    if dropdowns:
        options = wb.create_sheet(OPTIONS_SHEET)
        for n, (i, column) in enumerate(dropdowns, start=1):
            letter = get_column_letter(n)
            options.cell(row=1, column=n, value=column.header)
            for r, choice in enumerate(column.choices, start=2):
                options.cell(row=r, column=n, value=choice)
            validation = DataValidation(
                type="list", formula1=f"'{OPTIONS_SHEET}'!${letter}$2:${letter}${len(column.choices) + 1}",
                allow_blank=True, showErrorMessage=True, errorStyle="warning",
                errorTitle=_("取值不在列表中"), error=_("请从下拉列表中选择“{h}”").format(h=column.header),
                promptTitle=column.header, prompt=_("请从下拉列表中选择"), showInputMessage=True,
            )
            target = get_column_letter(i)
            validation.add(f"{target}2:{target}{TEMPLATE_DATA_ROWS + 1}")
            ws.add_data_validation(validation)
        options.sheet_state = "hidden"

    _instructions_sheet(wb, importer, columns, bold, fill)
    for table in importer.code_tables():
        sheet = wb.create_sheet(str(table.title)[:31])
        sheet.append(list(table.headers))
        for cell in sheet[1]:
            cell.font = bold
            cell.fill = fill
        for row in table.rows:
            sheet.append(list(row))
        for i in range(1, len(table.headers) + 1):
            sheet.column_dimensions[get_column_letter(i)].width = 14 if i == 1 else 36
        sheet.freeze_panes = "A2"
    # The instructions come second, right after the data sheet (before the hidden option lists).
    wb.move_sheet(INSTRUCTIONS_SHEET, offset=1 - wb.sheetnames.index(INSTRUCTIONS_SHEET))
    wb.active = 0
    return wb


def _instructions_sheet(wb, importer: Importer, columns: list[Column], bold, fill) -> None:
    from openpyxl.styles import Alignment

    sheet = wb.create_sheet(INSTRUCTIONS_SHEET)
    sheet.column_dimensions["A"].width = 20
    sheet.column_dimensions["B"].width = 10
    sheet.column_dimensions["C"].width = 60
    sheet.column_dimensions["D"].width = 48
    sheet.column_dimensions["E"].width = 30
    sheet.append([_("{label}导入模板填写说明").format(label=importer.label)])
    sheet["A1"].font = bold
    for note in importer.notes():
        sheet.append([note])
    sheet.append([])
    sheet.append([_("列名"), _("是否必填"), _("填写要求"), _("可选值"), _("示例")])
    header_row = sheet.max_row
    for cell in sheet[header_row]:
        cell.font = bold
        cell.fill = fill
    wrap = Alignment(wrap_text=True, vertical="top")
    for column in columns:
        if column.choices and len(column.choices) <= DROPDOWN_MAX_CHOICES:
            allowed = "、".join(column.choices)
        elif column.choices:
            allowed = _("见代码表（共 {n} 项）").format(n=len(column.choices))
        else:
            allowed = ""
        sheet.append([column.header, _("必填") if column.required else _("选填"), column.help, allowed,
                      column.example])
        for cell in sheet[sheet.max_row]:
            cell.alignment = wrap
    sheet.freeze_panes = f"A{header_row + 1}"


def template_response(importer: Importer, filename: str) -> FileResponse:
    wb = template_workbook(importer)
    handle = tempfile.TemporaryFile()
    wb.save(handle)
    handle.seek(0)
    return FileResponse(handle, as_attachment=True, filename=filename, content_type=XLSX_CONTENT_TYPE)


# Export -------------------------------------------------------------------------------------------

def write_workbook(handle, columns: Sequence[Column], rows: Iterable[Sequence[Any]], *, title: str,
                   row_count: int | None = None) -> int:
    """Stream ``rows`` (one value per column) into ``handle`` with openpyxl's write-only mode.

    Dates stay dates; lists are joined with '，'. Returns the number of data rows written.
    ``row_count``, when known, is written as the sheet's dimension record, as Excel does (at most
    that many rows are written): readers then learn the size without parsing the sheet twice.
    """
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font, PatternFill
    from openpyxl.utils import get_column_letter

    wb = Workbook(write_only=True)
    ws = wb.create_sheet(str(title)[:31] or "Sheet1")
    if row_count is not None:
        rows = islice(rows, row_count)
        declare_dimension(ws, rows=row_count + 1, columns=len(columns))
    for i, column in enumerate(columns, start=1):
        ws.column_dimensions[get_column_letter(i)].width = column.width
    ws.freeze_panes = "A2"
    bold, fill = Font(bold=True), PatternFill("solid", fgColor="DDEBF7")
    header = []
    for column in columns:
        cell = WriteOnlyCell(ws, value=column.header)
        cell.font = bold
        cell.fill = fill
        header.append(cell)
    ws.append(header)
    count = 0
    for row in rows:
        ws.append([_export_value(v) for v in row])
        count += 1
    wb.save(handle)
    return count


def declare_dimension(ws, *, rows: int, columns: int) -> None:
    """Give a write-only sheet its <dimension> record (openpyxl writes it when the sheet can say
    its size, which a write-only sheet cannot know by itself). Call before the first append."""
    from openpyxl.utils import get_column_letter

    ref = "A1:{c}{r}".format(c=get_column_letter(max(1, columns)), r=max(1, rows))
    ws.calculate_dimension = lambda: ref


def _export_value(value):
    if isinstance(value, (list, tuple)):
        return "，".join(str(v) for v in value if v not in (None, ""))
    if value == "":
        return None
    return value


def xlsx_response(filename: str, columns: Sequence[Column], rows: Iterable[Sequence[Any]], *,
                  title: str, row_count: int | None = None) -> FileResponse:
    """An .xlsx download, written to a temporary file first (constant memory, any row count)."""
    handle = tempfile.TemporaryFile()
    write_workbook(handle, columns, rows, title=title, row_count=row_count)
    handle.seek(0)
    return FileResponse(handle, as_attachment=True, filename=filename, content_type=XLSX_CONTENT_TYPE)
