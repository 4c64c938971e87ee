/* Initialise ECharts charts rendered by the {% echarts %} template tag.
 *
 * Each chart is a <div data-echarts-option="ID"> plus <script type="application/json" id="ID">
 * holding the option. Charts are (re)initialised on page load and after htmx swaps, and
 * resized with their container.
 */
(function () {
  "use strict";

  function formatValue(unit) {
    return function (value) {
      if (value === null || value === undefined || value === "-") { return "-"; }
      var text = typeof value === "number" ? value.toLocaleString("zh-CN") : String(value);
      return unit ? text + " " + unit : text;
    };
  }

  function initChart(el) {
    if (el.getAttribute("data-echarts-ready") === "1") { return; }
    var source = document.getElementById(el.getAttribute("data-echarts-option"));
    if (!source) { return; }
    var option;
    try {
      option = JSON.parse(source.textContent);
    } catch (err) {
      if (window.console) { console.error("图表配置无效", err); }
      return;
    }
    var unit = option._unit;
    delete option._unit;
    if (unit) {
      option.tooltip = option.tooltip || {};
      option.tooltip.valueFormatter = formatValue(unit);
    }
    var chart = window.echarts.init(el, null, { renderer: "canvas", locale: "ZH" });
    chart.setOption(option);
    el.setAttribute("data-echarts-ready", "1");
    if (window.ResizeObserver) {
      new ResizeObserver(function () { chart.resize(); }).observe(el);
    }
  }

  function initAll(root) {
    if (!window.echarts) {
      if (window.console) { console.error("ECharts 未加载：请在页面中使用 {% echarts_scripts %}"); }
      return;
    }
    var scope = root && root.querySelectorAll ? root : document;
    if (scope.matches && scope.matches("[data-echarts-option]")) { initChart(scope); }
    scope.querySelectorAll("[data-echarts-option]").forEach(initChart);
  }

  function disposeAll(root) {
    if (!window.echarts || !root || !root.querySelectorAll) { return; }
    root.querySelectorAll("[data-echarts-ready='1']").forEach(function (el) {
      var chart = window.echarts.getInstanceByDom(el);
      if (chart) { chart.dispose(); }
    });
  }

  if (!window.ResizeObserver) {
    window.addEventListener("resize", function () {
      document.querySelectorAll("[data-echarts-ready='1']").forEach(function (el) {
        var chart = window.echarts && window.echarts.getInstanceByDom(el);
        if (chart) { chart.resize(); }
      });
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", function () { initAll(document); });
  } else {
    initAll(document);
  }
  document.addEventListener("htmx:beforeSwap", function (event) { disposeAll(event.detail && event.detail.target); });
  document.addEventListener("htmx:afterSettle", function (event) { initAll(event.detail && event.detail.elt); });
}());
