"""Charts: PNG images drawn on the server (for PDFs and .xlsx reports) and ECharts options (for pages).

Server side uses matplotlib's Agg renderer through ``Figure`` objects (no pyplot, no global
state, safe in threads) with the same CJK font as the PDFs, so Chinese labels render::

    png = bar_chart_png(categories=["中原区", "金水区"], series={"2024年": [12.5, 30]}, unit="亿元")
    pdf.Image(png, width_cm=15)

Pages use ECharts (served locally, ``vendor/echarts``) through the template tag::

    {% load charts %}
    {% echarts option height="360px" %}      {# option = echarts_bar(categories, series, unit="万元") #}
    {% block scripts %}{% echarts_scripts %}{% endblock %}
"""
from __future__ import annotations

import decimal
import io
import math
import threading
from collections.abc import Mapping, Sequence

from django.utils.translation import gettext as _
from matplotlib import font_manager, rc_context
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter

from .pdf import cjk_font_path

__all__ = [
    "PALETTE", "bar_chart_png", "line_chart_png", "pie_chart_png", "echarts_bar", "echarts_line", "echarts_pie",
]

PALETTE = ["#2f6fba", "#e0812b", "#3a9e6b", "#c2443e", "#7a5cb0", "#8c6d4f", "#d16fa6", "#7f7f7f",
           "#b3b32a", "#2aa8b8"]
CM = 1 / 2.54

_font_lock = threading.Lock()
_font_names: dict[str, str] = {}


def _font_family() -> str:
    """Add the configured CJK font to matplotlib's font manager (once) and return its family name."""
    path = cjk_font_path()
    with _font_lock:
        name = _font_names.get(path)
        if name is None:
            font_manager.fontManager.addfont(path)
            name = font_manager.FontProperties(fname=path).get_name()
            _font_names[path] = name
    return name


def _font_weight() -> int:
    """The CJK font's own weight (WenQuanYi Zen Hei is 500), so lookups match without fallback warnings."""
    path = cjk_font_path()
    for entry in font_manager.fontManager.ttflist:
        if entry.fname == path:
            return entry.weight if isinstance(entry.weight, int) else 400
    return 400


def _rc() -> dict:
    family = _font_family()
    weight = _font_weight()
    return {
        "font.family": "sans-serif",
        "font.sans-serif": [family, "DejaVu Sans"],
        "axes.unicode_minus": False,  # the CJK font has no U+2212
        "axes.spines.top": False,
        "axes.spines.right": False,
        "axes.edgecolor": "#9aa5b1",
        "axes.labelcolor": "#333333",
        "xtick.color": "#333333",
        "ytick.color": "#333333",
        "axes.titlesize": 13,
        "axes.titleweight": weight,
        "axes.labelweight": weight,
        "font.size": 9.5,
        "font.weight": weight,
        "legend.frameon": False,
    }


def _number(value) -> float:
    if value is None:
        return math.nan
    if isinstance(value, decimal.Decimal):
        return float(value)
    return float(value)


def _fmt(value: float) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    if float(value).is_integer():
        return f"{int(value):,}"
    return f"{value:,.2f}".rstrip("0").rstrip(".")


def _check_series(categories: Sequence, series: Mapping[str, Sequence]) -> dict[str, list[float]]:
    clean = {}
    for name, values in series.items():
        values = list(values)
        if len(values) != len(categories):
            raise ValueError(f"series {name!r} has {len(values)} values for {len(categories)} categories")
        clean[str(name)] = [_number(v) for v in values]
    return clean


def _figure(width_cm: float, height_cm: float) -> Figure:
    fig = Figure(figsize=(width_cm * CM, height_cm * CM), layout="constrained")
    FigureCanvasAgg(fig)
    return fig


def _png(fig: Figure, dpi: int) -> bytes:
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=dpi, facecolor="white", metadata={"Software": None})
    return buffer.getvalue()


def _no_data(ax) -> None:
    ax.text(0.5, 0.5, _("暂无数据"), ha="center", va="center", transform=ax.transAxes, color="#7f7f7f", fontsize=12)
    ax.set_axis_off()


def _decorate(fig: Figure, ax, *, title: str, unit: str, value_axis: str, legend: bool) -> None:
    if title:
        ax.set_title(title, pad=10)
    if unit:
        (ax.set_xlabel if value_axis == "x" else ax.set_ylabel)(_("单位：{unit}").format(unit=unit))
    formatter = FuncFormatter(lambda v, _pos: _fmt(v))
    (ax.xaxis if value_axis == "x" else ax.yaxis).set_major_formatter(formatter)
    ax.grid(axis=value_axis, color="#e3e7ed", linewidth=0.8)
    ax.set_axisbelow(True)
    if legend:
        ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.12), ncol=min(4, len(ax.get_legend_handles_labels()[0])))


def bar_chart_png(*, categories: Sequence[str], series: Mapping[str, Sequence[float]], title: str = "",
                  unit: str = "", horizontal: bool = False, width_cm: float = 16, height_cm: float = 9,
                  dpi: int = 150) -> bytes:
    """Grouped bars, one group per category and one bar per series, with value labels."""
    categories = [str(c) for c in categories]
    data = _check_series(categories, series)
    with rc_context(_rc()):
        fig = _figure(width_cm, height_cm)
        ax = fig.add_subplot()
        if not categories or not data:
            _no_data(ax)
        else:
            n = len(data)
            band = 0.8
            width = band / n
            positions = list(range(len(categories)))
            labels_fit = len(categories) * n <= 36
            for i, (name, values) in enumerate(data.items()):
                offsets = [p - band / 2 + width * (i + 0.5) for p in positions]
                heights = [0 if math.isnan(v) else v for v in values]
                color = PALETTE[i % len(PALETTE)]
                bars = (ax.barh(offsets, heights, height=width, label=name, color=color) if horizontal
                        else ax.bar(offsets, heights, width=width, label=name, color=color))
                if labels_fit:
                    ax.bar_label(bars, labels=[_fmt(v) for v in values], padding=2, fontsize=8)
            if horizontal:
                ax.set_yticks(positions, categories)
                ax.invert_yaxis()
            else:
                ax.set_xticks(positions, categories)
                if max(len(c) for c in categories) * len(categories) > 40:
                    for label in ax.get_xticklabels():
                        label.set_rotation(30)
                        label.set_horizontalalignment("right")
            ax.margins(**({"x": 0.12} if horizontal else {"y": 0.12}))
        _decorate(fig, ax, title=title, unit=unit, value_axis="x" if horizontal else "y",
                  legend=len(data) > 1 and bool(categories))
        return _png(fig, dpi)


def line_chart_png(*, categories: Sequence[str], series: Mapping[str, Sequence[float]], title: str = "",
                   unit: str = "", width_cm: float = 16, height_cm: float = 9, dpi: int = 150) -> bytes:
    """One line per series over the categories (e.g. months); ``None`` leaves a gap."""
    categories = [str(c) for c in categories]
    data = _check_series(categories, series)
    with rc_context(_rc()):
        fig = _figure(width_cm, height_cm)
        ax = fig.add_subplot()
        if not categories or not data:
            _no_data(ax)
        else:
            positions = list(range(len(categories)))
            for i, (name, values) in enumerate(data.items()):
                ax.plot(positions, values, marker="o", markersize=4, linewidth=2, label=name,
                        color=PALETTE[i % len(PALETTE)])
                if len(categories) <= 12 and len(data) == 1:
                    for x, v in zip(positions, values):
                        if not math.isnan(v):
                            ax.annotate(_fmt(v), (x, v), textcoords="offset points", xytext=(0, 6),
                                        ha="center", fontsize=8)
            ax.set_xticks(positions, categories)
            if max(len(c) for c in categories) * len(categories) > 40:
                for label in ax.get_xticklabels():
                    label.set_rotation(30)
                    label.set_horizontalalignment("right")
            ax.margins(y=0.15)
        _decorate(fig, ax, title=title, unit=unit, value_axis="y", legend=len(data) > 1 and bool(categories))
        return _png(fig, dpi)


def pie_chart_png(*, categories: Sequence[str], values: Sequence[float], title: str = "", unit: str = "",
                  width_cm: float = 16, height_cm: float = 9, dpi: int = 150) -> bytes:
    """Shares of a whole, with percentages on the slices and values in the legend."""
    categories = [str(c) for c in categories]
    numbers = [_number(v) for v in values]
    if len(numbers) != len(categories):
        raise ValueError(f"{len(numbers)} values for {len(categories)} categories")
    if any(v < 0 for v in numbers if not math.isnan(v)):
        raise ValueError("a pie chart cannot show negative values")
    pairs = [(c, v) for c, v in zip(categories, numbers) if not math.isnan(v) and v > 0]
    with rc_context(_rc()):
        fig = _figure(width_cm, height_cm)
        ax = fig.add_subplot()
        if not pairs:
            _no_data(ax)
        else:
            wedges, _texts, _autotexts = ax.pie(
                [v for _c, v in pairs], colors=[PALETTE[i % len(PALETTE)] for i in range(len(pairs))],
                autopct=lambda pct: f"{pct:.1f}%" if pct >= 3 else "", pctdistance=0.72, startangle=90,
                counterclock=False, wedgeprops={"linewidth": 1, "edgecolor": "white"},
                textprops={"color": "white", "fontsize": 8.5},
            )
            suffix = f" {unit}" if unit else ""
            ax.legend(wedges, [f"{c}：{_fmt(v)}{suffix}" for c, v in pairs], loc="center left",
                      bbox_to_anchor=(1.0, 0.5))
            ax.set_aspect("equal")
        if title:
            ax.set_title(title, pad=10)
        return _png(fig, dpi)


# --------------------------------------------------------------------------- ECharts options


def _json_number(value):
    if value is None:
        return None
    number = _number(value)
    if math.isnan(number) or math.isinf(number):
        return None
    return int(number) if number.is_integer() else number


def _base_option(title: str, unit: str, legend: list[str]) -> dict:
    option: dict = {"color": PALETTE}
    if title:
        option["title"] = {"text": title, "left": "center", "textStyle": {"fontSize": 15}}
    if legend:
        option["legend"] = {"data": legend, "bottom": 0, "type": "scroll"}
    option["_unit"] = unit  # read (and removed) by core/charts.js to format tooltips
    return option


def echarts_bar(categories: Sequence[str], series: Mapping[str, Sequence[float]], title: str = "",
                unit: str = "", horizontal: bool = False) -> dict:
    categories = [str(c) for c in categories]
    data = _check_series(categories, series)
    names = list(data)
    option = _base_option(title, unit, names if len(names) > 1 else [])
    category_axis = {"type": "category", "data": categories, "axisTick": {"alignWithLabel": True}}
    value_axis = {"type": "value", "name": unit}
    option.update({
        "tooltip": {"trigger": "axis", "axisPointer": {"type": "shadow"}},
        "grid": {"left": 12, "right": 28, "top": 56 if title else 28, "bottom": 40 if len(names) > 1 else 12,
                 "containLabel": True},
        "xAxis": value_axis if horizontal else category_axis,
        "yAxis": ({**category_axis, "inverse": True} if horizontal else value_axis),
        "series": [{"name": name, "type": "bar", "data": [_json_number(v) for v in values],
                    # Value labels only where they cannot collide: upright bars in groups are narrow.
                    "label": {"show": len(categories) * len(names) <= 36
                              and (horizontal or len(names) == 1 or len(categories) <= 6),
                              "position": "right" if horizontal else "top"}}
                   for name, values in data.items()],
    })
    return option


def echarts_line(categories: Sequence[str], series: Mapping[str, Sequence[float]], title: str = "",
                 unit: str = "") -> dict:
    categories = [str(c) for c in categories]
    data = _check_series(categories, series)
    names = list(data)
    option = _base_option(title, unit, names if len(names) > 1 else [])
    option.update({
        "tooltip": {"trigger": "axis"},
        "grid": {"left": 12, "right": 28, "top": 56 if title else 28, "bottom": 40 if len(names) > 1 else 12,
                 "containLabel": True},
        "xAxis": {"type": "category", "data": categories, "boundaryGap": False},
        "yAxis": {"type": "value", "name": unit},
        "series": [{"name": name, "type": "line", "data": [_json_number(v) for v in values],
                    "symbolSize": 6, "connectNulls": False}
                   for name, values in data.items()],
    })
    return option


def echarts_pie(categories: Sequence[str], values: Sequence[float], title: str = "", unit: str = "") -> dict:
    categories = [str(c) for c in categories]
    values = list(values)
    if len(values) != len(categories):
        raise ValueError(f"{len(values)} values for {len(categories)} categories")
    option = _base_option(title, unit, categories)
    option.update({
        "tooltip": {"trigger": "item"},
        "series": [{
            "type": "pie", "radius": ["35%", "65%"], "center": ["50%", "48%"],
            "name": title or unit,
            "data": [{"name": c, "value": _json_number(v)} for c, v in zip(categories, values)],
            "label": {"formatter": "{b}\n{d}%"},
        }],
    })
    return option
