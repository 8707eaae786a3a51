// The result page: select a criterion to highlight the sentences that earned it.
(function () {
  "use strict";
  const answer = document.getElementById("answer-text");
  if (!answer) return;
  const buttons = document.querySelectorAll(".criterion-toggle");
  const marks = answer.querySelectorAll("mark.evidence");
  function show(criterion) {
    buttons.forEach(function (b) {
      b.setAttribute("aria-pressed", String(b.dataset.criterion === criterion));
    });
    answer.classList.toggle("focused", Boolean(criterion));
    marks.forEach(function (mark) {
      const ids = (mark.dataset.criteria || "").split(" ");
      mark.classList.toggle("active", Boolean(criterion) && ids.indexOf(criterion) !== -1);
    });
  }
  buttons.forEach(function (button) {
    button.addEventListener("click", function () {
      const on = button.getAttribute("aria-pressed") === "true";
      show(on ? null : button.dataset.criterion);
    });
  });
})();
