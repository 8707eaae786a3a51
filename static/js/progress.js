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
        // A triangle marks the first score under a new version of its rubric.
        pointStyle: points.map(function (p) { return p.new_version ? "triangle" : "circle"; }),
        pointRadius: points.map(function (p) { return p.new_version ? 7 : 3; }),
      }],
    },
    options: {
      animation: false,
      scales: { y: { min: 0, max: 100, title: { display: true, text: "score" } } },
      plugins: {
        tooltip: { callbacks: { afterLabel: function (ctx) {
          const p = points[ctx.dataIndex];
          return [p.question, "Rubric " + p.rubric + (p.new_version ? " (a new version of this rubric)" : "")];
        } } },
      },
    },
  });
})();
