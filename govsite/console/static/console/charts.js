// Pass-rate chart on the dashboard: data from the json_script block, ECharts vendored locally.
(function () {
  var el = document.getElementById("rate-chart");
  var src = document.getElementById("rate-data");
  if (!el || !src || typeof echarts === "undefined") return;
  var data = JSON.parse(src.textContent);
  var chart = echarts.init(el);
  chart.setOption({
    tooltip: { trigger: "axis" },
    grid: { left: 48, right: 16, bottom: 80, top: 24 },
    xAxis: { type: "category", data: data.units, axisLabel: { rotate: 40, interval: 0 } },
    yAxis: { type: "value", min: 0, max: 100, axisLabel: { formatter: "{value}%" } },
    series: [{ type: "bar", name: "合格率", data: data.rates, itemStyle: { color: "#a40000" } }],
    animation: false
  });
  window.addEventListener("resize", function () { chart.resize(); });
})();
