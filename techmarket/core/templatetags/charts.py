"""``{% echarts option height="360px" %}``: an ECharts chart from an option dict.

The option travels as JSON in a ``<script type="application/json">`` element (escaped the
way ``json_script`` does), never as inline JavaScript; ``core/charts.js`` finds the chart
containers and initialises ECharts. Put ``{% echarts_scripts %}`` once in the page's
``scripts`` block.
"""
from __future__ import annotations

import re
import secrets

from django import template
from django.templatetags.static import static
from django.utils.html import format_html, json_script
from django.utils.translation import gettext as _

register = template.Library()

_CSS_LENGTH = re.compile(r"^\d{1,4}(\.\d{1,2})?(px|rem|em|vh|%)$")


@register.simple_tag
def echarts(option, height="360px", css_class="", label=""):
    """Render a chart container and its option; ``height`` is a CSS length (e.g. "360px", "40vh")."""
    if not isinstance(option, dict):
        raise template.TemplateSyntaxError("echarts: option must be a dict (see techmarket.core.charts)")
    height = str(height).strip()
    if not _CSS_LENGTH.match(height):
        raise template.TemplateSyntaxError(f"echarts: height must be a CSS length such as 360px, got {height!r}")
    element_id = "tm-echart-" + secrets.token_hex(6)
    title_option = option.get("title")
    title = label or (title_option.get("text", "") if isinstance(title_option, dict) else "")
    return format_html(
        '<div class="tm-echart {}" style="width: 100%; height: {};" data-echarts-option="{}" role="img"'
        ' aria-label="{}"></div>{}',
        css_class, height, element_id, title or _("图表"), json_script(option, element_id),
    )


@register.simple_tag
def echarts_scripts():
    """The locally served ECharts library and the initialiser."""
    return format_html(
        '<script src="{}"></script>\n<script src="{}"></script>',
        static("vendor/echarts/echarts.min.js"), static("core/charts.js"),
    )
