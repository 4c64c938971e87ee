from __future__ import annotations

import datetime
import io
import re
import shutil
import subprocess
from decimal import Decimal

import pytest
from freezegun import freeze_time

from techmarket.core import pdf
from techmarket.core.charts import bar_chart_png


def pdf_text(data: bytes) -> str | None:
    """Text of a PDF via pdftotext (poppler-utils) or pypdf, whichever is installed; None if neither."""
    if shutil.which("pdftotext"):
        done = subprocess.run(["pdftotext", "-layout", "-enc", "UTF-8", "-", "-"], input=data,
                              capture_output=True, check=True, timeout=60)
        return done.stdout.decode("utf-8")
    try:
        from pypdf import PdfReader
    except ImportError:
        return None
    return "\n".join(page.extract_text() or "" for page in PdfReader(io.BytesIO(data)).pages)


def page_count(data: bytes) -> int:
    return len(re.findall(rb"/Type\s*/Page(?!s)", data))


def squeeze(text: str) -> str:
    return re.sub(r"\s+", "", text)


class TestRenderPdf:
    def test_returns_pdf_with_chinese_title_and_embedded_font(self):
        # given
        blocks = [pdf.Heading("一、总体情况"), pdf.Paragraph("全市共登记技术合同 1,234 项。")]
        # when
        data = pdf.render_pdf(title="郑州市技术合同成交情况通报", subtitle="2025年第三季度", blocks=blocks)
        # then
        assert data.startswith(b"%PDF-")
        assert b"WenQuanYiZenHei" in data  # the CJK font is embedded (as a subset)
        text = pdf_text(data)
        if text is not None:
            assert "郑州市技术合同成交情况通报" in squeeze(text)
            assert "全市共登记技术合同1,234项" in squeeze(text)

    @freeze_time("2025-03-03 01:30:00+00:00")
    def test_footer_has_page_numbers_and_shanghai_time(self):
        data = pdf.render_pdf(title="报告", footer="郑州市科学技术局",
                              blocks=[pdf.Paragraph("第一页"), pdf.PageBreak(), pdf.Paragraph("第二页")])
        assert page_count(data) == 2
        text = pdf_text(data)
        if text is None:
            pytest.skip("neither pdftotext nor pypdf is installed")
        flat = squeeze(text)
        assert "第1页/共2页" in flat and "第2页/共2页" in flat
        assert "生成时间：2025-03-0309:30" in flat  # 01:30 UTC is 09:30 in Asia/Shanghai
        assert "郑州市科学技术局" in flat

    def test_table_repeats_header_on_every_page(self):
        rows = [[f"单位{i}", i, Decimal("1234.50"), datetime.date(2025, 1, 2)] for i in range(120)]
        data = pdf.render_pdf(title="明细", blocks=[pdf.Table(["单位名称", "件数", "成交额（元）", "登记日期"], rows,
                                                             col_widths=[6, 3, 4, 4])])
        pages = page_count(data)
        assert pages >= 3
        text = pdf_text(data)
        if text is None:
            pytest.skip("neither pdftotext nor pypdf is installed")
        assert squeeze(text).count("单位名称") == pages
        assert "1,234.50" in text and "2025-01-02" in text

    def test_markup_in_text_is_shown_literally(self):
        data = pdf.render_pdf(title="转义", blocks=[pdf.Paragraph("<b>粗体</b> & <script>"),
                                                     pdf.KeyValue([("名称", "A<B>C")])])
        text = pdf_text(data)
        if text is None:
            pytest.skip("neither pdftotext nor pypdf is installed")
        assert "<b>粗体</b> & <script>" in text and "A<B>C" in text

    def test_embeds_chart_image(self):
        png = bar_chart_png(categories=["中原区", "金水区"], series={"成交额": [1, 2]}, unit="亿元")
        data = pdf.render_pdf(title="图表", blocks=[pdf.Image(png, width_cm=12)])
        assert b"/Subtype /Image" in data

    def test_row_of_wrong_length_is_refused(self):
        with pytest.raises(ValueError):
            pdf.render_pdf(title="表", blocks=[pdf.Table(["甲", "乙"], [["只有一格"]])])

    def test_unknown_block_is_refused(self):
        with pytest.raises(TypeError):
            pdf.render_pdf(title="表", blocks=["不是块"])


class TestPdfFont:
    def test_missing_font_gives_clear_chinese_error(self, settings):
        # given
        settings.TECHMARKET_PDF_FONT = "/nonexistent/fonts/missing.ttc"
        # when
        with pytest.raises(pdf.FontMissingError) as exc:
            pdf.render_pdf(title="标题", blocks=[])
        # then
        message = str(exc.value)
        assert "找不到中文字体文件" in message and "/nonexistent/fonts/missing.ttc" in message
        assert "TECHMARKET_PDF_FONT" in message

    def test_file_that_is_not_a_font_gives_clear_error(self, settings, tmp_path):
        bogus = tmp_path / "bogus.ttf"
        bogus.write_bytes(b"not a font at all")
        settings.TECHMARKET_PDF_FONT = str(bogus)
        with pytest.raises(pdf.FontMissingError) as exc:
            pdf.render_pdf(title="标题", blocks=[])
        assert "无法读取中文字体文件" in str(exc.value)

    def test_font_is_available_again_after_a_bad_setting(self, settings, tmp_path):
        good = settings.TECHMARKET_PDF_FONT
        settings.TECHMARKET_PDF_FONT = str(tmp_path / "missing.ttf")
        with pytest.raises(pdf.FontMissingError):
            pdf.cjk_font_name()
        settings.TECHMARKET_PDF_FONT = good
        assert pdf.render_pdf(title="恢复", blocks=[]).startswith(b"%PDF-")
