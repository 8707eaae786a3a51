// The rubric editor: the draft saves itself as the coach types (valid or not), and each save
// brings back what is wrong with it, line by line, and a preview of the rubric as published.
// A copy stays on this device until the server has the text, so a reload loses nothing.
(function () {
  "use strict";
  const editor = document.getElementById("rubric-editor");
  if (!editor) return;
  const form = editor.querySelector("form.editor-text");
  const textarea = form.querySelector("textarea[name=text]");
  const revisionField = form.querySelector("input[name=revision]");
  const status = document.getElementById("save-status");
  const preview = document.getElementById("rubric-preview");
  const csrf = document.querySelector('meta[name="csrf-token"]').content;
  const url = editor.dataset.saveUrl;
  const key = "rubric-draft:" + url;
  const WAIT_MS = 600;  // after the last keystroke
  let timer = null;
  let inflight = false;
  let again = false;  // typed while a save was on its way
  let stopped = false;  // another tab saved: this page must be reloaded

  function keepHere() {
    try {
      localStorage.setItem(key, JSON.stringify({ revision: revisionField.value, text: textarea.value }));
    } catch (e) { /* private mode or full: the server copy still follows */ }
  }

  function forget() {
    try { localStorage.removeItem(key); } catch (e) { /* nothing kept */ }
  }

  async function save() {
    if (stopped) return;
    if (inflight) { again = true; return; }
    inflight = true;
    const text = textarea.value;
    status.textContent = "Saving…";
    try {
      const response = await fetch(url, {
        method: "POST",
        headers: { "Content-Type": "application/json", "X-CSRFToken": csrf },
        body: JSON.stringify({ text: text, revision: parseInt(revisionField.value, 10) }),
      });
      const data = await response.json();
      if (!response.ok) {
        status.textContent = data.error || "Not saved.";
        if (response.status === 409) stopped = true;
        return;
      }
      revisionField.value = String(data.revision);
      preview.innerHTML = data.preview;
      const count = data.problems.length;
      status.textContent = "Saved (revision " + data.revision + ")" +
        (count ? ", " + count + " problem" + (count === 1 ? "" : "s") + " to fix." : ".");
      if (textarea.value === text) forget();
    } catch (e) {
      status.textContent = "Not saved yet: the server cannot be reached. Your text is kept on this device.";
    } finally {
      inflight = false;
      if (again) { again = false; save(); }
    }
  }

  textarea.addEventListener("input", function () {
    keepHere();
    clearTimeout(timer);
    timer = setTimeout(save, WAIT_MS);
  });

  // A copy typed on this device on top of the revision the server still has was never saved:
  // put it back and save it.
  try {
    const kept = JSON.parse(localStorage.getItem(key) || "null");
    if (kept && kept.revision === revisionField.value && kept.text !== textarea.value) {
      textarea.value = kept.text;
      save();
    } else if (kept) {
      forget();
    }
  } catch (e) { /* nothing usable kept */ }
})();
