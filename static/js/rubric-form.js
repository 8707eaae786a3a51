// The rubric editor's form view: the form saves itself as the coach types, and each problem the
// server finds is shown beside its field. The list buttons (add, remove, move) post the form.
(function () {
  "use strict";
  const form = document.getElementById("rubric-form");
  if (!form) return;
  const status = document.getElementById("form-status");
  const revision = form.querySelector("input[name=revision]");
  const preview = document.getElementById("rubric-preview");
  const WAIT_MS = 700;
  let timer = null;
  let inflight = false;
  let again = false;
  let stopped = false;

  async function save() {
    if (stopped) return;
    if (inflight) { again = true; return; }
    inflight = true;
    status.textContent = "Saving…";
    try {
      const response = await fetch(form.getAttribute("action"), {  // form.action: the buttons
        method: "POST",
        headers: { "X-Requested-With": "fetch" },
        body: new FormData(form),
      });
      const data = await response.json();
      if (!response.ok) {
        status.textContent = data.error || "Not saved.";
        if (response.status === 409) stopped = true;
        return;
      }
      revision.value = String(data.revision);
      if (data.preview !== undefined) preview.innerHTML = data.preview;
      form.querySelectorAll("[data-error-for]").forEach(function (p) { p.textContent = ""; });
      form.querySelectorAll(".has-error").forEach(function (d) { d.classList.remove("has-error"); });
      let placed = 0;
      data.problems.forEach(function (problem) {
        const slot = form.querySelector('[data-error-for="' + problem.field + '"]');
        if (slot) {
          slot.textContent = problem.message;
          slot.parentElement.classList.add("has-error");
          placed += 1;
        }
      });
      const count = data.problems.length;
      status.textContent = "Saved (revision " + data.revision + ")" + (count
        ? ", " + count + " problem" + (count === 1 ? "" : "s") + " to fix" +
          (placed < count ? " (save to see them all)" : "") + "."
        : ".");
    } catch (e) {
      status.textContent = "Not saved yet: the server cannot be reached.";
    } finally {
      inflight = false;
      if (again) { again = false; save(); }
    }
  }

  form.addEventListener("input", function () {
    clearTimeout(timer);
    timer = setTimeout(save, WAIT_MS);
  });
  form.addEventListener("change", function () {
    clearTimeout(timer);
    timer = setTimeout(save, WAIT_MS);
  });
})();
