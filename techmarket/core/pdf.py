"""PDF documents in Chinese, built from a list of blocks (certificates, periodic reports).

::

    from techmarket.core import pdf

    data = pdf.render_pdf(
        title="技术合同认定登记证明", subtitle="登记号 2025410101000123", footer="郑州市科学技术局",
        blocks=[
            pdf.KeyValue([("合同名称", contract.name), ("成交额", "123.45 万元")]),
            pdf.Heading("成交额统计", level=2),
            pdf.Table(["区县", "件数", "成交额（万元）"], rows, col_widths=[6, 4, 6]),
            pdf.Image(bar_chart_png(...), width_cm=15),
        ],
    )

The CJK font comes from ``settings.TECHMARKET_PDF_FONT`` (a TrueType or .ttc file; the
first face of a collection is used) and is embedded, subset, in every document. Pages are
A4 with the page number "第 N 页 / 共 M 页" and the generation time (Asia/Shanghai) in
the footer.
"""
from __future__ import annotations

import datetime
import decimal
import io
import os
import threading
import zoneinfo
from collections.abc import Sequence
from dataclasses import dataclass, field
from xml.sax.saxutils import escape

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils import timezone
from django.utils.translation import gettext as _
from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER, TA_LEFT, TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import cm
from reportlab.lib.utils import ImageReader
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFError, TTFont
from reportlab.pdfgen import canvas as rl_canvas
from reportlab.platypus import Image as RLImage
from reportlab.platypus import PageBreak as RLPageBreak
from reportlab.platypus import Paragraph as RLParagraph
from reportlab.platypus import SimpleDocTemplate, Spacer
from reportlab.platypus import Table as RLTable
from reportlab.platypus import TableStyle

__all__ = [
    "FontMissingError", "Heading", "Paragraph", "Table", "Image", "PageBreak", "KeyValue",
    "cjk_font_path", "cjk_font_name", "render_pdf",
]

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")
PAGE_SIZE = A4
MARGIN_X = 2.2 * cm
MARGIN_TOP = 2.2 * cm
MARGIN_BOTTOM = 2.4 * cm
FRAME_WIDTH = PAGE_SIZE[0] - 2 * MARGIN_X
FRAME_HEIGHT = PAGE_SIZE[1] - MARGIN_TOP - MARGIN_BOTTOM

PRIMARY = colors.HexColor("#1f4e8c")
HEADER_TEXT = colors.white
ZEBRA = colors.HexColor("#f1f5fb")
GRID = colors.HexColor("#b8c4d6")
KEY_BACKGROUND = colors.HexColor("#e8eef7")
MUTED = colors.HexColor("#5f6b7a")


class FontMissingError(ImproperlyConfigured):
    """The CJK font configured in TECHMARKET_PDF_FONT is missing or unreadable."""


# --------------------------------------------------------------------------- blocks


@dataclass(frozen=True)
class Heading:
    text: str
    level: int = 1


@dataclass(frozen=True)
class Paragraph:
    """Plain text; line breaks are kept, markup is not interpreted."""

    text: str


@dataclass(frozen=True)
class Table:
    """A table whose header repeats on every page. ``col_widths`` in cm (scaled down to fit)."""

    header: Sequence[str]
    rows: Sequence[Sequence[object]]
    col_widths: Sequence[float] | None = None


@dataclass(frozen=True)
class Image:
    """A PNG (e.g. from ``techmarket.core.charts``), ``width_cm`` wide, centred."""

    png_bytes: bytes
    width_cm: float = 16.0


@dataclass(frozen=True)
class PageBreak:
    pass


@dataclass(frozen=True)
class KeyValue:
    """A two-column definition table: label | value."""

    pairs: Sequence[tuple[str, object]] = field(default_factory=tuple)


Block = Heading | Paragraph | Table | Image | PageBreak | KeyValue


# --------------------------------------------------------------------------- font

FONT_NAME = "TechMarketCJK"
_font_lock = threading.Lock()
_registered_path: str | None = None


def cjk_font_path() -> str:
    """The configured CJK font file; FontMissingError (in Chinese) when it is not there."""
    path = str(getattr(settings, "TECHMARKET_PDF_FONT", "") or "")
    if not path or not os.path.isfile(path):
        raise FontMissingError(_(
            "找不到中文字体文件“{path}”，无法生成含中文的 PDF 和图表。请安装文泉驿正黑字体"
            "（Debian/Ubuntu：apt-get install fonts-wqy-zenhei），或将配置项 TECHMARKET_PDF_FONT "
            "设为一个 TrueType（.ttf/.ttc）中文字体文件的路径。"
        ).format(path=path or _("（未配置）")))
    return path


def cjk_font_name() -> str:
    """Register the configured CJK font with reportlab (once per path) and return its name."""
    global _registered_path
    path = cjk_font_path()
    with _font_lock:
        if _registered_path != path:
            try:
                font = TTFont(FONT_NAME, path, subfontIndex=0) if path.lower().endswith((".ttc", ".otc")) \
                    else TTFont(FONT_NAME, path)
            except (TTFError, OSError, ValueError) as exc:
                raise FontMissingError(_(
                    "无法读取中文字体文件“{path}”：{error}。请将 TECHMARKET_PDF_FONT 设为一个 TrueType（.ttf/.ttc）"
                    "中文字体文件的路径。"
                ).format(path=path, error=exc)) from exc
            pdfmetrics.registerFont(font)
            # The font has no bold or italic face; map them to itself so <b> never fails.
            pdfmetrics.registerFontFamily(FONT_NAME, normal=FONT_NAME, bold=FONT_NAME, italic=FONT_NAME,
                                          boldItalic=FONT_NAME)
            _registered_path = path
    return FONT_NAME


# --------------------------------------------------------------------------- styles


def _styles(font: str) -> dict[str, ParagraphStyle]:
    base = ParagraphStyle("tm-body", fontName=font, fontSize=10.5, leading=17, wordWrap="CJK",
                          spaceAfter=6, alignment=TA_LEFT)
    return {
        "title": ParagraphStyle("tm-title", parent=base, fontSize=20, leading=28, alignment=TA_CENTER,
                                spaceAfter=6, textColor=colors.black),
        "subtitle": ParagraphStyle("tm-subtitle", parent=base, fontSize=11.5, leading=18, alignment=TA_CENTER,
                                   textColor=MUTED, spaceAfter=14),
        "h1": ParagraphStyle("tm-h1", parent=base, keepWithNext=1, fontSize=15.5, leading=22, spaceBefore=12,
                             spaceAfter=8, textColor=PRIMARY),
        "h2": ParagraphStyle("tm-h2", parent=base, keepWithNext=1, fontSize=13, leading=19, spaceBefore=10,
                             spaceAfter=6, textColor=PRIMARY),
        "h3": ParagraphStyle("tm-h3", parent=base, keepWithNext=1, fontSize=11.5, leading=17, spaceBefore=8,
                             spaceAfter=4),
        "body": base,
        "cell": ParagraphStyle("tm-cell", parent=base, fontSize=9.5, leading=13.5, spaceAfter=0),
        "cell_num": ParagraphStyle("tm-cell-num", parent=base, fontSize=9.5, leading=13.5, spaceAfter=0,
                                   alignment=TA_RIGHT),
        "head": ParagraphStyle("tm-head", parent=base, fontSize=9.5, leading=13.5, spaceAfter=0,
                               textColor=HEADER_TEXT),
        "key": ParagraphStyle("tm-key", parent=base, fontSize=10, leading=15, spaceAfter=0, textColor=PRIMARY),
        "value": ParagraphStyle("tm-value", parent=base, fontSize=10, leading=15, spaceAfter=0),
    }


def _markup(text) -> str:
    """Escape text for reportlab's mini-markup and keep line breaks."""
    return escape(str(text if text is not None else "")).replace("\r\n", "\n").replace("\n", "<br/>")


def _cell_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return _("是") if value else _("否")
    if isinstance(value, datetime.datetime):
        if timezone.is_aware(value):
            value = value.astimezone(SHANGHAI)
        return value.strftime("%Y-%m-%d %H:%M")
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, decimal.Decimal):
        return f"{value:,}"
    if isinstance(value, float):
        return f"{value:,.2f}"
    return str(value)


def _is_number(value) -> bool:
    return isinstance(value, int | float | decimal.Decimal) and not isinstance(value, bool)


# --------------------------------------------------------------------------- flowables


def _table_widths(n: int, col_widths: Sequence[float] | None) -> list[float]:
    if not col_widths:
        return [FRAME_WIDTH / n] * n
    if len(col_widths) != n:
        raise ValueError(f"col_widths has {len(col_widths)} entries for {n} columns")
    widths = [float(w) * cm for w in col_widths]
    total = sum(widths)
    if total > FRAME_WIDTH:
        widths = [w * FRAME_WIDTH / total for w in widths]
    return widths


def _table(block: Table, st: dict) -> RLTable:
    n = len(block.header)
    if n == 0:
        raise ValueError("a table needs at least one column")
    data = [[RLParagraph(_markup(h), st["head"]) for h in block.header]]
    for i, row in enumerate(block.rows, start=1):
        row = list(row)
        if len(row) != n:
            raise ValueError(f"table row {i} has {len(row)} cells for {n} columns")
        data.append([RLParagraph(_markup(_cell_text(v)), st["cell_num"] if _is_number(v) else st["cell"])
                     for v in row])
    commands = [
        ("BACKGROUND", (0, 0), (-1, 0), PRIMARY),
        ("GRID", (0, 0), (-1, -1), 0.5, GRID),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("TOPPADDING", (0, 0), (-1, -1), 4),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 4),
        ("LEFTPADDING", (0, 0), (-1, -1), 5),
        ("RIGHTPADDING", (0, 0), (-1, -1), 5),
    ]
    if not block.rows:
        data.append([RLParagraph(_markup(_("（无数据）")), st["cell"])] + [""] * (n - 1))
        commands.append(("SPAN", (0, 1), (-1, 1)))
    else:
        commands.append(("ROWBACKGROUNDS", (0, 1), (-1, -1), [colors.white, ZEBRA]))
    table = RLTable(data, colWidths=_table_widths(n, block.col_widths), repeatRows=1, hAlign="CENTER")
    table.setStyle(TableStyle(commands))
    return table


def _key_value(block: KeyValue, st: dict) -> RLTable:
    data = [[RLParagraph(_markup(k), st["key"]), RLParagraph(_markup(_cell_text(v)), st["value"])]
            for k, v in block.pairs]
    if not data:
        data = [[RLParagraph(_markup(_("（无数据）")), st["value"]), ""]]
    table = RLTable(data, colWidths=[FRAME_WIDTH * 0.28, FRAME_WIDTH * 0.72], hAlign="CENTER")
    table.setStyle(TableStyle([
        ("BACKGROUND", (0, 0), (0, -1), KEY_BACKGROUND),
        ("GRID", (0, 0), (-1, -1), 0.5, GRID),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("TOPPADDING", (0, 0), (-1, -1), 5),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 5),
        ("LEFTPADDING", (0, 0), (-1, -1), 6),
        ("RIGHTPADDING", (0, 0), (-1, -1), 6),
    ]))
    return table


def _image(block: Image) -> RLImage:
    if not block.png_bytes:
        raise ValueError("image block without data")
    reader = ImageReader(io.BytesIO(block.png_bytes))
    px_w, px_h = reader.getSize()
    width = min(float(block.width_cm) * cm, FRAME_WIDTH)
    height = width * px_h / px_w
    max_height = FRAME_HEIGHT - 1 * cm
    if height > max_height:
        width, height = width * max_height / height, max_height
    image = RLImage(io.BytesIO(block.png_bytes), width=width, height=height)
    image.hAlign = "CENTER"
    return image


def _flowables(title: str, subtitle: str, blocks: Sequence[Block], st: dict) -> list:
    story = [RLParagraph(_markup(title), st["title"])]
    if subtitle:
        story.append(RLParagraph(_markup(subtitle), st["subtitle"]))
    else:
        story.append(Spacer(1, 8))
    for block in blocks:
        if isinstance(block, Heading):
            level = min(max(int(block.level), 1), 3)
            story.append(RLParagraph(_markup(block.text), st[f"h{level}"]))
        elif isinstance(block, Paragraph):
            story.append(RLParagraph(_markup(block.text), st["body"]))
        elif isinstance(block, Table):
            story += [_table(block, st), Spacer(1, 10)]
        elif isinstance(block, KeyValue):
            story += [_key_value(block, st), Spacer(1, 10)]
        elif isinstance(block, Image):
            story += [_image(block), Spacer(1, 8)]
        elif isinstance(block, PageBreak):
            story.append(RLPageBreak())
        else:
            raise TypeError(f"unknown PDF block: {block!r}")
    return story


# --------------------------------------------------------------------------- page furniture


def _canvas_maker(*, font: str, title: str, footer: str, generated: str):
    """A canvas that keeps each finished page until the end, so every footer can say
    "第 N 页 / 共 M 页"."""

    class NumberedCanvas(rl_canvas.Canvas):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            self._finished_pages: list[dict] = []

        def showPage(self):  # noqa: N802 (reportlab's name)
            self._finished_pages.append(dict(self.__dict__))
            self._startPage()

        def save(self):
            total = len(self._finished_pages)
            for state in self._finished_pages:
                self.__dict__.update(state)
                self._draw_furniture(total)
                rl_canvas.Canvas.showPage(self)
            rl_canvas.Canvas.save(self)

        def _draw_furniture(self, total: int) -> None:
            page_w, _page_h = self._pagesize
            number = self._pageNumber
            self.saveState()
            self.setStrokeColor(GRID)
            self.setLineWidth(0.5)
            y_line = MARGIN_BOTTOM - 0.6 * cm
            self.line(MARGIN_X, y_line, page_w - MARGIN_X, y_line)
            self.setFillColor(MUTED)
            self.setFont(font, 8.5)
            y = y_line - 0.45 * cm
            if footer:
                self.drawString(MARGIN_X, y, footer[:80])
            self.drawRightString(page_w - MARGIN_X, y,
                                 _("第 {n} 页 / 共 {m} 页").format(n=number, m=total))
            self.drawString(MARGIN_X, y - 0.42 * cm, _("生成时间：{t}（北京时间）").format(t=generated))
            if number > 1:
                self.setFont(font, 8.5)
                y_head = self._pagesize[1] - MARGIN_TOP + 0.7 * cm
                self.drawString(MARGIN_X, y_head, title[:60])
                self.line(MARGIN_X, y_head - 0.2 * cm, page_w - MARGIN_X, y_head - 0.2 * cm)
            self.restoreState()

    return NumberedCanvas


def render_pdf(*, title: str, blocks: Sequence[Block], subtitle: str = "", footer: str = "",
               author: str = "") -> bytes:
    """Build an A4 PDF with the CJK font embedded and return its bytes."""
    font = cjk_font_name()
    st = _styles(font)
    generated = timezone.now().astimezone(SHANGHAI).strftime("%Y-%m-%d %H:%M")
    buffer = io.BytesIO()
    doc = SimpleDocTemplate(
        buffer, pagesize=PAGE_SIZE,
        leftMargin=MARGIN_X, rightMargin=MARGIN_X, topMargin=MARGIN_TOP, bottomMargin=MARGIN_BOTTOM,
        title=str(title), subject=str(subtitle), author=str(author or _("科技大市场")),
        creator=_("科技大市场"), lang="zh-CN", initialFontName=font, initialFontSize=10.5,
    )
    doc.build(_flowables(str(title), str(subtitle), list(blocks), st),
              canvasmaker=_canvas_maker(font=font, title=str(title), footer=str(footer), generated=generated))
    return buffer.getvalue()
