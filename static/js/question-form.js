// The question editor: each Markdown field (a textarea with data-preview naming its preview's
// id) shows what candidates will see as the admin types, rendered and sanitised by the server.
(function () {
  "use strict";
  const form = document.getElementById("question-form");
  if (!form) return;
  const url = form.dataset.previewUrl;
  const csrf = document.querySelector('meta[name="csrf-token"]').content;
  const WAIT_MS = 300;  // after the last keystroke

  form.querySelectorAll("textarea[data-preview]").forEach(function (textarea) {
    const preview = document.getElementById(textarea.dataset.preview);
    if (!preview) return;
    let timer = null;
    let sent = 0;  // replies can overtake each other: only the latest request's is shown

    async function render() {
      const number = ++sent;
      try {
        const response = await fetch(url, {
          method: "POST",
          headers: { "Content-Type": "application/json", "X-CSRFToken": csrf },
          body: JSON.stringify({ text: textarea.value }),
        });
        const data = await response.json();
        if (number !== sent) return;
        if (!response.ok) {
          preview.textContent = data.error || "No preview.";
          return;
        }
        preview.innerHTML = data.html;  // sanitised by the server's one Markdown renderer
      } catch (e) {
        if (number === sent) preview.textContent = "No preview: the server cannot be reached.";
      }
    }

    textarea.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(render, WAIT_MS);
    });
  });
})();
