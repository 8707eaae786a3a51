// The progress page: overall score per attempt as a line chart (Chart.js, vendored).
(function () {
  "use strict";
  const canvas = document.getElementById("progress-chart");
  if (!canvas || typeof Chart === "undefined") return;
  const points = JSON.parse(canvas.dataset.points || "[]");
  new Chart(canvas, {
    type: "line",
    data: {
      labels: points.map(function (p) { return p.date; }),
      datasets: [{
        label: "Overall score",
        data: points.map(function (p) { return p.overall; }),
        borderColor: "#2f5d8a",
        backgroundColor: "rgba(47, 93, 138, 0.15)",
        fill: true,
        tension: 0.25,
      }],
    },
    options: {
      animation: false,
      scales: { y: { min: 0, max: 100, title: { display: true, text: "score" } } },
      plugins: {
        tooltip: { callbacks: { afterLabel: function (ctx) { return points[ctx.dataIndex].question; } } },
      },
    },
  });
})();
