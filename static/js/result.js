// The result page confirms a submission got through: every copy of this answer the device
// kept for the question is no longer needed (other text, typed after it, stays).
(function () {
  "use strict";
  const answer = document.getElementById("answer-text");
  if (!answer || !answer.dataset.draftKey) return;
  const prefix = answer.dataset.draftKey;
  try {
    const done = [];
    for (let i = 0; i < localStorage.length; i += 1) {
      const key = localStorage.key(i);
      if (key !== prefix && !key.startsWith(prefix + ":")) continue;
      const copy = JSON.parse(localStorage.getItem(key) || "null");
      if (copy && copy.text === answer.textContent) done.push(key);
    }
    done.forEach(function (key) { localStorage.removeItem(key); });
  } catch (e) { /* storage disabled: nothing was kept */ }
})();

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

// The AI feedback panel fills in by itself while it is being written. Once it is written, the
// follow-up question is fetched again: the AI may have tailored it to the answer (unless the
// candidate has started typing a reply to the rubric's own).
(function () {
  "use strict";
  const slot = document.getElementById("ai-feedback-slot");
  if (!slot) return;
  let tries = 0;
  function refreshFollowUp() {
    const section = document.getElementById("follow-up");
    if (!section || section.dataset.state !== "offered" || section.dataset.source !== "rubric") return;
    const box = section.querySelector("textarea");
    if (box && box.value.trim()) return;
    fetch(section.dataset.url, { credentials: "same-origin" })
      .then(function (response) { return response.ok ? response.text() : null; })
      .then(function (html) {
        const typed = box && box.value.trim();
        if (html && html.trim() && !typed) section.outerHTML = html;
      })
      .catch(function () { /* the rubric's follow-up stays */ });
  }
  function poll() {
    const panel = slot.querySelector("#ai-feedback");
    if (!panel || tries > 150) return;
    if (panel.dataset.status !== "pending") {
      if (tries > 0 && panel.dataset.status === "ok") refreshFollowUp();
      return;
    }
    tries += 1;
    fetch(slot.dataset.url, { credentials: "same-origin" })
      .then(function (response) { return response.ok ? response.text() : null; })
      .then(function (html) { if (html) slot.innerHTML = html; })
      .catch(function () { /* offline for a moment: try again */ })
      .finally(function () { setTimeout(poll, 2000); });
  }
  setTimeout(poll, 1000);
})();
