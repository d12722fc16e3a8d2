/* The command centre's dashboard (fugong.command): ECharts drawn from the json_script
   "dashboard-data". No inline script (strict CSP): this file reads the data and draws each
   element marked data-chart. Every figure on the page is a link to its list; the charts only show. */
(function () {
  "use strict";
  function ready(fn) { if (document.readyState !== "loading") { fn(); } else { document.addEventListener("DOMContentLoaded", fn); } }

  function bars(names, series, unit) {
    return {
      tooltip: { trigger: "axis" },
      legend: { top: 0 },
      grid: { left: 40, right: 10, top: 30, bottom: 40 },
      xAxis: { type: "category", data: names, axisLabel: { interval: 0, rotate: names.length > 6 ? 30 : 0 } },
      yAxis: { type: "value", axisLabel: { formatter: "{value}" + (unit || "") } },
      series: series.map(function (s) { return { name: s.name, type: "bar", data: s.data, label: { show: names.length <= 12, position: "top" } }; })
    };
  }

  function lines(days, named, unit) {
    return {
      tooltip: { trigger: "axis" },
      legend: { top: 0, type: "scroll" },
      grid: { left: 40, right: 10, top: 30, bottom: 30 },
      xAxis: { type: "category", data: days.map(function (d) { return d.slice(5); }) },
      yAxis: { type: "value", axisLabel: { formatter: "{value}" + (unit || "") } },
      series: Object.keys(named).map(function (name) { return { name: name, type: "line", smooth: true, data: named[name] }; })
    };
  }

  function pie(items) {
    return {
      tooltip: { trigger: "item" },
      legend: { bottom: 0 },
      series: [{ type: "pie", radius: ["35%", "65%"], data: items, label: { formatter: "{b}: {c}" } }]
    };
  }

  function title(option, text) { option.title = { text: text, left: "center", textStyle: { fontSize: 13 } }; option.legend = option.legend || {}; option.legend.top = option.legend.top === 0 ? 22 : option.legend.top; if (option.grid) { option.grid.top = 50; } return option; }

  function optionFor(kind, data) {
    var trend = data.trend || { days: [], total: {}, rate_by_town: {} };
    var pick = function (rows, key) { return rows.map(function (r) { return r[key]; }); };
    var names = function (rows) { return pick(rows, "name"); };
    switch (kind) {
      case "rate-trend": {
        var named = Object.assign({ "合计": trend.resumption_rate || [] }, trend.rate_by_town || {});
        return title(lines(trend.days || [], named, "%"), "复工率趋势");
      }
      case "areas": return title(bars(names(data.areas), [{ name: "企业数", data: pick(data.areas, "enterprises") }, { name: "已复工", data: pick(data.areas, "resumed") }]), "各地复工情况");
      case "sectors": return title(bars(names(data.sectors), [{ name: "企业数", data: pick(data.sectors, "enterprises") }, { name: "已复工", data: pick(data.sectors, "resumed") }]), "分行业");
      case "sizes": return title(bars(names(data.sizes), [{ name: "复工率", data: pick(data.sizes, "rate") }], "%"), "规上/规下复工率");
      case "origins": return title(pie(data.origins), "返岗人员来源");
      case "returned-trend": return title(lines(trend.days || [], { "已返岗": (trend.total || {}).returned_total || [], "打卡次数": (trend.total || {}).checkins || [] }), "返岗与打卡趋势");
      case "isolation": return title(pie(data.isolation), "隔离人员（按方式）");
      case "fever-trend": return title(lines(trend.days || [], { "隔离人数": (trend.total || {}).isolation || [], "发热预警待处置": (trend.total || {}).fever_open || [], "当日新增发热": (trend.total || {}).fever_raised || [] }), "隔离与发热趋势");
      default: return null;
    }
  }

  ready(function () {
    var source = document.getElementById("dashboard-data");
    if (!source || typeof window.echarts === "undefined") { return; }
    var data = JSON.parse(source.textContent);
    var charts = [];
    document.querySelectorAll("[data-chart]").forEach(function (element) {
      var option = optionFor(element.getAttribute("data-chart"), data);
      if (!option) { return; }
      var chart = window.echarts.init(element, null, { renderer: "svg" });
      chart.setOption(option);
      element.setAttribute("data-rendered", "1");
      charts.push(chart);
    });
    window.addEventListener("resize", function () { charts.forEach(function (c) { c.resize(); }); });
  });
})();
