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
  // The version of the server's draft this page's text is based on. Every save sends it, so the
  // server never writes it over a newer save from another tab; the device copy keeps it, so a
  // reload compares versions, never two machines' clocks.
  const baseField = form.querySelector("input[name=base_version]");
  const wordCount = document.getElementById("word-count");
  const timer = document.getElementById("timer");
  const status = document.getElementById("save-status");
  const timeAlert = document.getElementById("time-alert");
  // Each tab keeps its own copy on this device (a second tab must not overwrite it), saying
  // which draft and version it was typed on.
  const prefix = form.dataset.storageKey;
  const otherDrafts = (form.dataset.otherDrafts || "").split(" ").filter(Boolean);
  const draftUrl = form.dataset.draftUrl;
  const limit = parseInt(form.dataset.timeLimit || "0", 10);
  const autosaveMs = (parseInt(form.dataset.autosaveSeconds || "5", 10) || 5) * 1000;
  const csrf = document.querySelector('meta[name="csrf-token"]').content;
  const SUBMIT_WAIT_MS = 10000;
  let spent = parseInt(timeField.value || "0", 10) || 0;
  let dirty = false;
  let inflight = null;  // the autosave request on its way, if any
  let submitted = false;
  let unanswered = null;  // the text of the last save whose reply has not come: it may land
  let alreadySubmitted = null;  // text the server holds as a submitted answer: not a draft

  const tab = tabId();
  const ownKey = prefix + ":tab:" + tab;
  function tabId() {
    try {
      let id = sessionStorage.getItem("coach-tab");  // the same across reloads of this tab
      if (!id) {
        id = Date.now().toString(36) + Math.random().toString(36).slice(2, 8);
        sessionStorage.setItem("coach-tab", id);
      }
      return id;
    } catch (e) { return "only"; }
  }
  function read(key) {
    try { return JSON.parse(localStorage.getItem(key) || "null"); } catch (e) { return null; }
  }
  function store(key, copy) {
    try { localStorage.setItem(key, JSON.stringify(copy)); } catch (e) { /* full or disabled */ }
  }
  function forget(key) {
    try { localStorage.removeItem(key); } catch (e) { /* nothing to clear */ }
  }
  function writeLocal() {
    store(ownKey, {
      text: textarea.value, spent: spent, savedAt: Date.now(),
      draft: attemptField.value, base: baseField.value, unconfirmed: unanswered,
      submitting: submitted || undefined,  // cleared by the result page once it arrives
    });
  }

  function say(message, warn) {
    status.textContent = message;
    status.className = warn ? "warn" : "";
  }
  function localTime(date) {
    return date.toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" });
  }

  // What this device holds for this question. A copy typed on the very version of the draft
  // the page shows, and never saved, comes back (the newest, if several tabs left one). A copy
  // still marked as being submitted means the submission never reached its result page (which
  // clears the copy). Copies of the other drafts listed stay for their pages. Anything else
  // (typed on a version since replaced, or on a draft since submitted, or kept by an older
  // version of this page) is offered back, newest first, never thrown away unasked.
  const onPage = [];
  const elsewhere = [];
  const previous = read(ownKey);  // what this tab last kept, perhaps on another draft's page
  for (let i = 0; i < localStorage.length; i += 1) {
    const key = localStorage.key(i);
    if (key !== prefix && !key.startsWith(prefix + ":")) continue;
    const copy = read(key);
    if (!copy || !copy.text || !copy.text.trim() || otherDrafts.indexOf(copy.draft) !== -1) {
      continue;
    }
    if (copy.text === textarea.value) {
      if (key !== ownKey) forget(key);  // the page shows it already
      continue;
    }
    const typedHere = copy.draft !== undefined && copy.draft === attemptField.value &&
      (copy.base || "") === baseField.value;
    (typedHere ? onPage : elsewhere).push({ key: key, copy: copy });
  }
  const newestFirst = function (a, b) { return (b.copy.savedAt || 0) - (a.copy.savedAt || 0); };
  onPage.sort(newestFirst);
  const restored = form.hasAttribute("data-refused") ? null : onPage.shift();
  elsewhere.push.apply(elsewhere, onPage);
  if (form.hasAttribute("data-refused")) {
    dirty = true;  // the server refused this submission and says why: the text is a draft again
  } else if (restored) {
    const copy = restored.copy;
    textarea.value = copy.text;
    spent = Math.max(spent, copy.spent || 0);
    unanswered = copy.unconfirmed || null;
    dirty = true;
    if (restored.key !== ownKey) forget(restored.key);  // this tab carries it on
    if (copy.submitting) {
      say("Your last submission may not have got through, so your text is back. Check " +
          "My attempts before you submit it again.", true);
    } else {
      say("Restored the text you typed on this device.");
    }
  } else if (textarea.value !== textarea.defaultValue) {
    dirty = true;  // the browser put back text typed before a reload or Back: keep it safe
  }
  // This tab's key is about to hold the page's text: anything else it held is set aside, to be
  // restored on its own draft's page or offered here.
  if (previous && previous.text && previous.text !== textarea.value &&
      !(restored && restored.key === ownKey)) {
    const aside = prefix + ":aside:" + (previous.savedAt || Date.now());
    store(aside, previous);
    elsewhere.forEach(function (entry) { if (entry.key === ownKey) entry.key = aside; });
  }
  writeLocal();
  if (baseField.value && !dirty) say("Draft saved " + localTime(new Date(baseField.value)));
  elsewhere.sort(newestFirst);
  if (elsewhere.length) offer(elsewhere[0].key, elsewhere[0].copy);

  function offer(key, copy) {
    const box = document.createElement("p");
    box.className = "older-copy";
    const when = new Date(copy.savedAt || 0).toLocaleString([], {
      dateStyle: "medium", timeStyle: "short",
    });
    box.textContent = copy.submitting
      ? "This device kept an answer you submitted " + when + "; check My attempts in case it " +
        "did not get through. "
      : "This device has other text for this answer, from " + when + ". ";
    function button(label, onClick) {
      const b = document.createElement("button");
      b.type = "button";
      b.className = "secondary";
      b.textContent = label;
      b.addEventListener("click", function () {
        onClick();
        forget(key);
        box.remove();
        textarea.focus();
      });
      box.appendChild(b);
    }
    button("Use it instead", function () {
      textarea.value = copy.text;
      dirty = true;
      writeLocal();
      countWords();
      say("The text from this device is back; the next save keeps it.");
    });
    button("Discard it", function () { /* the draft on the page stays as it is */ });
    document.querySelector(".answer-tools").after(box);
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
      // Screen readers hear the two moments that matter, not every second.
      if (left === 60) timeAlert.textContent = "One minute left.";
      if (left === 0) timeAlert.textContent = "Time is up. You can still finish and submit.";
    }
  }

  // From now on this page's text is a draft of its own (its draft moved on elsewhere).
  function startNewDraft() {
    attemptField.value = "";
    baseField.value = "";
    writeLocal();
  }

  function refused(body, sent) {
    if (body.reason === "changed") {
      startNewDraft();
      say("This draft was changed in another tab, so the text here is saved as a separate draft.");
    } else if (attemptField.value) {
      startNewDraft();
      say("That draft was submitted elsewhere; what you type here is saved as a new draft.");
    } else {
      alreadySubmitted = sent;  // retyped or pasted: saving it again would change nothing
      say("This is the answer you already submitted (see My attempts); edit it to save a " +
          "new draft.");
    }
  }

  function save(leaving) {
    if (!dirty || inflight || submitted || textarea.value === alreadySubmitted) return inflight;
    const sent = textarea.value;
    const body = JSON.stringify({
      answer_text: sent, time_spent_seconds: spent, attempt_id: attemptField.value || null,
      base_version: baseField.value,
      unconfirmed_text: unanswered,  // the server recognises its draft if that save landed
    });
    unanswered = sent;
    writeLocal();  // so a reload before the reply knows this save may have landed
    inflight = fetch(draftUrl, {
      method: "POST",
      credentials: "same-origin",
      keepalive: leaving === true,  // a save started as the page goes away still gets sent
      headers: { "Content-Type": "application/json", "X-CSRFToken": csrf },
      body: body,
    }).then(function (response) {
      const kept = " Your text is kept on this device.";
      if (response.status < 500) unanswered = null;  // a clear answer: written or refused
      if (response.status === 409) {
        return response.json().then(function (body) { refused(body, sent); });
      } else if (response.redirected || response.status === 401) {
        say("You are logged out, so this was not saved. Log in again in another tab." + kept, true);
      } else if (response.status === 429 || response.status >= 500) {
        say("The server could not save just now; it will try again." + kept, true);
      } else if (!response.ok) {
        // A refused answer says why in JSON; anything else means this page is out of date.
        return response.json().then(function (body) {
          say((body.error || "This draft was not saved.") + kept, true);
        }, function () {
          say("This page is out of date, so this was not saved. Reload it." + kept, true);
        });
      } else {
        return response.json().then(function (saved) {
          attemptField.value = String(saved.attempt_id);
          baseField.value = saved.saved_at;
          writeLocal();  // now based on the version just saved
          if (textarea.value === sent) dirty = false;
          say("Draft saved " + localTime(new Date()));
        });
      }
    }).catch(function () {
      say("Not saved to the server yet (offline?). Your text is kept on this device.", true);
    }).finally(function () { inflight = null; });
    return inflight;
  }

  textarea.addEventListener("input", function () {
    dirty = true;
    countWords();
    writeLocal();
  });
  textarea.addEventListener("blur", function () { save(); });
  window.addEventListener("online", function () { save(); });
  // Leaving the page or the tab: keep a copy here and send what is unsaved on its way.
  function leave() {
    if (dirty && !submitted) {
      writeLocal();
      save(true);
    }
  }
  window.addEventListener("pagehide", leave);
  document.addEventListener("visibilitychange", function () {
    if (document.visibilityState === "hidden") leave();
  });
  window.addEventListener("pageshow", function (event) {
    // Back to this page from the browser's cache after a submission that failed: edit again.
    if (event.persisted && submitted) {
      submitted = false;
      dirty = true;
    }
  });
  form.addEventListener("submit", function (event) {
    if (event.submitter && event.submitter.hasAttribute("formaction")) return;  // "Save draft"
    submitted = true;
    writeLocal();
    if (inflight) {
      // Let the save on its way land first, so the submission takes over that draft instead
      // of leaving a second one behind (10 s at most: a server that slow fails the submit too).
      event.preventDefault();
      say("Finishing the last save first…");
      const giveUp = new Promise(function (resolve) { setTimeout(resolve, SUBMIT_WAIT_MS); });
      Promise.race([inflight, giveUp]).then(function () { form.submit(); });
    }
  });
  setInterval(save, autosaveMs);
  setInterval(tick, 1000);
  countWords();
  tick();
})();
