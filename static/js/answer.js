// The answer page: live word count, a countdown from the question's time limit, and drafts
// saved to the server every few seconds and on blur, with a copy on this device so nothing typed
// is lost to a reload, a closed tab, a network drop or a server restart.
(function () {
  "use strict";
  const form = document.getElementById("answer-form");
  if (!form) return;
  const textarea = form.querySelector("textarea[name=answer_text]");
  const timeField = form.querySelector("input[name=time_spent_seconds]");
  const attemptField = form.querySelector("input[name=attempt_id]");
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
  let inflight = null;  // the autosave request on its way, if any
  let submitted = false;

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

  function localTime(date) {
    return date.toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" });
  }
  if (serverSavedAt && !dirty) status.textContent = "Draft saved " + localTime(new Date(serverSavedAt));

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
    if (!dirty || inflight || submitted) return inflight;
    const sent = textarea.value;
    inflight = fetch(draftUrl, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRFToken": csrf },
      body: JSON.stringify({
        answer_text: sent, time_spent_seconds: spent, attempt_id: attemptField.value || null,
      }),
    }).then(function (response) {
      if (response.status === 409) {  // submitted meanwhile, in another tab perhaps
        submitted = true;
        localStorage.removeItem(key);
        status.textContent = "This answer was already submitted. Reload to start a new one.";
        status.className = "warn";
        return null;
      }
      if (!response.ok) throw new Error("HTTP " + response.status);
      return response.json();
    }).then(function (saved) {
      if (!saved) return;
      attemptField.value = String(saved.attempt_id);
      if (textarea.value === sent) dirty = false;
      status.textContent = "Draft saved " + localTime(new Date());
      status.className = "";
    }).catch(function () {
      status.textContent = "Not saved to the server yet (offline?). Your text is kept on this device.";
      status.className = "warn";
    }).finally(function () { inflight = null; });
    return inflight;
  }

  textarea.addEventListener("input", function () {
    dirty = true;
    countWords();
    writeLocal();
  });
  textarea.addEventListener("blur", save);
  window.addEventListener("online", save);
  window.addEventListener("pagehide", function () { if (dirty && !submitted) writeLocal(); });
  form.addEventListener("submit", function (event) {
    if (event.submitter && event.submitter.hasAttribute("formaction")) return;  // "Save draft"
    submitted = true;
    writeLocal({ submitting: true });
    if (inflight) {
      // Let the save on its way land first (3 s at most), so the submission takes over that
      // draft instead of leaving a second one behind.
      event.preventDefault();
      const giveUp = new Promise(function (resolve) { setTimeout(resolve, 3000); });
      Promise.race([inflight, giveUp]).then(function () { form.submit(); });
    }
  });
  setInterval(save, autosaveMs);
  setInterval(tick, 1000);
  countWords();
  tick();
})();
