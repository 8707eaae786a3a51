// The answer page: live word count, a countdown from the question's time limit, and drafts
// saved to the server every few seconds and on blur, with a copy on this device so nothing typed
// is lost to a reload, a closed tab, a network drop or a server restart.
(function () {
  "use strict";
  const form = document.getElementById("answer-form");
  if (!form) return;
  const textarea = form.querySelector("textarea[name=answer_text]");
  const timeField = form.querySelector("input[name=time_spent_seconds]");
  const wordCount = document.getElementById("word-count");
  const timer = document.getElementById("timer");
  const status = document.getElementById("save-status");
  const key = form.dataset.storageKey;
  const draftUrl = form.dataset.draftUrl;
  const limit = parseInt(form.dataset.timeLimit || "0", 10);
  const autosaveMs = (parseInt(form.dataset.autosaveSeconds || "5", 10) || 5) * 1000;
  const csrf = document.querySelector('meta[name="csrf-token"]').content;
  const serverSavedAt = Date.parse(form.dataset.serverSavedAt || "") || 0;
  let spent = parseInt(timeField.value || "0", 10) || 0;
  let dirty = false;
  let saving = false;

  function readLocal() {
    try { return JSON.parse(localStorage.getItem(key) || "null"); } catch (e) { return null; }
  }
  function writeLocal(extra) {
    try {
      localStorage.setItem(key, JSON.stringify(Object.assign(
        { text: textarea.value, spent: spent, savedAt: Date.now() }, extra || {})));
    } catch (e) { /* storage full or disabled: the server copy still works */ }
  }

  // Restore this device's copy when it is newer than the server's draft.
  const local = readLocal();
  if (local && local.submitting && !serverSavedAt) {
    localStorage.removeItem(key);  // that answer was submitted; nothing left to restore
  } else if (local && local.text && local.savedAt > serverSavedAt && local.text !== textarea.value) {
    textarea.value = local.text;
    spent = Math.max(spent, local.spent || 0);
    dirty = true;
    status.textContent = "Restored the text you typed on this device.";
  }

  function countWords() {
    const words = textarea.value.trim().split(/\s+/).filter(Boolean).length;
    wordCount.textContent = words + (words === 1 ? " word" : " words");
  }

  function clock(seconds) {
    const s = Math.abs(seconds);
    return Math.floor(s / 60) + ":" + String(s % 60).padStart(2, "0");
  }
  function tick() {
    if (document.visibilityState === "visible") {
      spent += 1;
      timeField.value = String(spent);
    }
    if (limit > 0) {
      const left = limit - spent;
      timer.hidden = false;
      if (left > 0) {
        timer.textContent = clock(left) + " left";
        timer.className = left <= 60 ? "timer warn" : "timer";
      } else {
        timer.textContent = "Time is up (" + clock(left) + " over): you can still finish and submit.";
        timer.className = "timer over";
      }
    }
  }

  function save() {
    if (!dirty || saving) return;
    saving = true;
    const sent = textarea.value;
    fetch(draftUrl, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRFToken": csrf },
      body: JSON.stringify({ answer_text: sent, time_spent_seconds: spent }),
    }).then(function (response) {
      if (!response.ok) throw new Error("HTTP " + response.status);
      return response.json();
    }).then(function () {
      if (textarea.value === sent) dirty = false;
      status.textContent = "Draft saved " + new Date().toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" });
      status.className = "";
    }).catch(function () {
      status.textContent = "Not saved to the server yet (offline?). Your text is kept on this device.";
      status.className = "warn";
    }).finally(function () { saving = false; });
  }

  textarea.addEventListener("input", function () {
    dirty = true;
    countWords();
    writeLocal();
  });
  textarea.addEventListener("blur", save);
  window.addEventListener("online", save);
  window.addEventListener("pagehide", function () { if (dirty) writeLocal(); });
  form.addEventListener("submit", function () { writeLocal({ submitting: true }); });
  setInterval(save, autosaveMs);
  setInterval(tick, 1000);
  countWords();
  tick();
})();
