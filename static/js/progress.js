// The progress page's charts (Chart.js, vendored). The server writes each chart's data and
// options into its canvas's data-chart (straight segments, fixed axes), so what is drawn is what
// the tests read back; this script only adds the local dates and the tooltips.
(function () {
  "use strict";
  if (typeof Chart === "undefined") return;
  const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

  function shortDate(iso) {
    const date = new Date(iso);
    return date.getDate() + " " + MONTHS[date.getMonth()];
  }

  function fullDate(iso) {
    return window.localTime ? window.localTime.text(new Date(iso)) : iso;
  }

  document.querySelectorAll("canvas[data-chart]").forEach(function (canvas) {
    const config = JSON.parse(canvas.dataset.chart);
    const points = JSON.parse(canvas.dataset.points || "[]");
    const options = config.options;
    // A phone's narrow screen gets a taller chart, so the lines stay apart.
    options.aspectRatio = canvas.parentElement.clientWidth < 500 ? 1.2 : 2.5;
    options.scales.x = {
      ticks: {
        autoSkip: true, maxRotation: 0,
        callback: function (value, index) { return points[index] ? shortDate(points[index].when) : ""; },
      },
    };
    options.plugins.tooltip = {
      callbacks: {
        title: function (items) { return items.length ? fullDate(points[items[0].dataIndex].when) : ""; },
        afterLabel: function (item) {
          const p = points[item.dataIndex];
          return [p.question, "Rubric " + p.rubric + (p.new_version ? " (a new version of this rubric)" : "")];
        },
      },
    };
    new Chart(canvas, config);
  });
})();
