from __future__ import annotations

import json
import struct
import warnings
from decimal import Decimal

import pytest
from django.contrib.staticfiles import finders
from django.template import Context, Template, TemplateSyntaxError

from techmarket.core import charts
from techmarket.core.pdf import FontMissingError

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
DISTRICTS = ["中原区", "二七区", "管城回族区", "金水区"]


def png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == PNG_SIGNATURE
    return struct.unpack(">II", data[16:24])


class TestServerCharts:
    @pytest.mark.parametrize("draw", [
        lambda: charts.bar_chart_png(categories=DISTRICTS, series={"2024年": [1, 2, 3, 4], "2025年": [2, 3, 4, 5]},
                                     title="各区县技术合同成交额", unit="亿元"),
        lambda: charts.bar_chart_png(categories=DISTRICTS, series={"件数": [1, 2, None, Decimal("4.5")]},
                                     title="横向条形图", horizontal=True),
        lambda: charts.line_chart_png(categories=["1月", "2月", "3月"], series={"累计": [1, None, 3]}, title="趋势"),
        lambda: charts.pie_chart_png(categories=["技术开发", "技术转让", "技术服务"], values=[5, 3, 2], title="构成"),
        lambda: charts.bar_chart_png(categories=[], series={}, title="暂无数据的图"),
    ], ids=["bar", "horizontal-bar", "line", "pie", "empty"])
    def test_draws_png_with_chinese_glyphs_from_the_cjk_font(self, draw):
        # when: any glyph missing from the font makes matplotlib warn, which fails the test
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            data = draw()
        # then
        assert data[:8] == PNG_SIGNATURE

    def test_size_follows_centimetres_and_dpi(self):
        data = charts.bar_chart_png(categories=["甲"], series={"值": [1]}, width_cm=10, height_cm=5, dpi=100)
        width, height = png_size(data)
        assert abs(width - 394) <= 2 and abs(height - 197) <= 2

    def test_series_of_wrong_length_is_refused(self):
        with pytest.raises(ValueError):
            charts.line_chart_png(categories=["1月", "2月"], series={"值": [1]})

    def test_negative_pie_value_is_refused(self):
        with pytest.raises(ValueError):
            charts.pie_chart_png(categories=["甲", "乙"], values=[1, -1])

    def test_missing_font_gives_clear_error(self, settings):
        settings.TECHMARKET_PDF_FONT = "/nonexistent/fonts/missing.ttc"
        with pytest.raises(FontMissingError, match="找不到中文字体文件"):
            charts.bar_chart_png(categories=["甲"], series={"值": [1]})


class TestEchartsOptions:
    def test_bar_option(self):
        option = charts.echarts_bar(DISTRICTS, {"2025年": [1, Decimal("2.5"), None, 4]}, title="成交额", unit="万元")
        assert option["xAxis"] == {"type": "category", "data": DISTRICTS, "axisTick": {"alignWithLabel": True}}
        assert option["yAxis"]["name"] == "万元"
        assert option["series"][0]["data"] == [1, 2.5, None, 4]
        assert option["title"]["text"] == "成交额"
        json.dumps(option)  # plain JSON: no Decimal left

    def test_horizontal_bar_swaps_axes(self):
        option = charts.echarts_bar(["甲"], {"值": [1]}, horizontal=True)
        assert option["xAxis"]["type"] == "value" and option["yAxis"]["type"] == "category"

    def test_line_option_has_one_series_per_name_and_legend(self):
        option = charts.echarts_line(["1月", "2月"], {"实际": [1, 2], "目标": [2, 2]})
        assert [s["name"] for s in option["series"]] == ["实际", "目标"]
        assert option["legend"]["data"] == ["实际", "目标"]

    def test_pie_option(self):
        option = charts.echarts_pie(["技术开发", "技术服务"], [3, Decimal("1.5")], unit="件")
        assert option["series"][0]["data"] == [{"name": "技术开发", "value": 3}, {"name": "技术服务", "value": 1.5}]

    def test_wrong_length_is_refused(self):
        with pytest.raises(ValueError):
            charts.echarts_bar(["甲", "乙"], {"值": [1]})


class TestEchartsTag:
    def render(self, source: str, **context) -> str:
        return Template("{% load charts %}" + source).render(Context(context))

    def test_renders_container_and_json_option(self):
        # given
        option = charts.echarts_bar(["中原区"], {"件数": [3]}, title="标题")
        # when
        html = self.render('{% echarts option height="300px" %}', option=option)
        # then
        assert 'style="width: 100%; height: 300px;"' in html
        element_id = html.split('data-echarts-option="')[1].split('"')[0]
        assert f'<script id="{element_id}" type="application/json">' in html
        payload = html.split('type="application/json">')[1].split("</script>")[0]
        assert json.loads(payload)["xAxis"]["data"] == ["中原区"]

    def test_script_injection_is_escaped(self):
        option = charts.echarts_bar(["</script><script>alert(1)</script>"], {"值": [1]})
        html = self.render("{% echarts option %}", option=option)
        assert "<script>alert(1)" not in html
        assert "\\u003C/script\\u003E" in html

    def test_bad_height_is_refused(self):
        with pytest.raises(TemplateSyntaxError):
            self.render('{% echarts option height="1px;background:url(x)" %}', option={})

    def test_scripts_tag_points_to_local_files(self):
        html = self.render("{% echarts_scripts %}")
        assert "/static/vendor/echarts/echarts.min.js" in html and "/static/core/charts.js" in html
        assert finders.find("core/charts.js")
        assert finders.find("vendor/echarts/echarts.min.js")
