/* Draws the charts of a page with Apache ECharts (served by central, no CDN).
 *
 * Each chart is a <div data-chart="ID"> and a <script type="application/json" id="ID-data">
 * holding a ChartSpec (central/web/charts.py): labels already in the page's language. The
 * figures are also in the table under the chart; this script only draws them.
 */
(function () {
  "use strict";
  if (typeof echarts === "undefined") {
    return;
  }
  var narrow = window.matchMedia("(max-width: 600px)").matches;

  function barOption(spec) {
    var categoryAxis = {
      type: "category",
      data: spec.categories,
      axisLabel: { fontSize: narrow ? 11 : 13, interval: spec.horizontal ? 0 : "auto" },
    };
    var valueAxis = { type: "value", minInterval: 1, axisLabel: { fontSize: 12 } };
    return {
      animation: false,
      tooltip: { trigger: "axis", confine: true },
      legend: { top: 0, itemGap: narrow ? 8 : 16, textStyle: { fontSize: narrow ? 12 : 14 } },
      grid: {
        left: 8,
        right: 16,
        top: narrow ? 64 : 48,
        bottom: 8,
        containLabel: true,
      },
      xAxis: spec.horizontal ? valueAxis : categoryAxis,
      yAxis: spec.horizontal ? categoryAxis : valueAxis,
      series: spec.series.map(function (s) {
        return {
          name: s.name,
          type: s.kind === "line" ? "line" : "bar",
          stack: s.kind === "line" ? undefined : "all",
          data: s.values,
          itemStyle: { color: s.colour },
          lineStyle: s.kind === "line" ? { width: 3 } : undefined,
          symbolSize: 8,
          barMaxWidth: 48,
        };
      }),
    };
  }

  function pieOption(spec) {
    var shown = spec.series.filter(function (s) {
      return s.values[0] > 0;
    });
    var counts = {};
    spec.series.forEach(function (s) {
      counts[s.name] = s.values[0];
    });
    return {
      animation: false,
      tooltip: { trigger: "item", confine: true },
      legend: {
        top: 0,
        textStyle: { fontSize: narrow ? 12 : 14 },
        formatter: function (name) {
          return name + " " + counts[name];
        },
      },
      series: [
        {
          type: "pie",
          radius: ["38%", "68%"],
          top: 32,
          label: { position: "inside", formatter: "{c}", fontSize: 16, fontWeight: "bold", color: "#fff" },
          labelLine: { show: false },
          data: shown.map(function (s) {
            return { name: s.name, value: s.values[0], itemStyle: { color: s.colour } };
          }),
        },
      ],
    };
  }

  function empty(spec) {
    return !spec.series.some(function (s) {
      return s.values.some(function (v) {
        return v > 0;
      });
    });
  }

  document.querySelectorAll("[data-chart]").forEach(function (box) {
    var source = document.getElementById(box.getAttribute("data-chart") + "-data");
    if (!source) {
      return;
    }
    var spec = JSON.parse(source.textContent);
    if (empty(spec)) {
      box.classList.add("chart-empty");
      box.textContent = spec.words.empty || "";
      return;
    }
    var chart = echarts.init(box, null, { renderer: "canvas" });
    chart.setOption(spec.pie ? pieOption(spec) : barOption(spec));
    box.setAttribute("data-drawn", "1");
    window.addEventListener("resize", function () {
      chart.resize();
    });
  });
})();
