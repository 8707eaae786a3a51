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
  const timeAlert = document.getElementById("time-alert");
  const key = form.dataset.storageKey;
  const draftUrl = form.dataset.draftUrl;
  const limit = parseInt(form.dataset.timeLimit || "0", 10);
  const autosaveMs = (parseInt(form.dataset.autosaveSeconds || "5", 10) || 5) * 1000;
  const csrf = document.querySelector('meta[name="csrf-token"]').content;
  // The version of the server's draft this page's text is based on: sent with each autosave,
  // so the server refuses to write it over a newer save from another tab, and kept with the
  // copy on this device, so a reload compares versions, never two machines' clocks.
  let base = form.dataset.serverSavedAt || "";
  let spent = parseInt(timeField.value || "0", 10) || 0;
  let dirty = false;
  let inflight = null;  // the autosave request on its way, if any
  let submitted = false;

  function readLocal() {
    try { return JSON.parse(localStorage.getItem(key) || "null"); } catch (e) { return null; }
  }
  function writeLocal() {
    try {
      localStorage.setItem(key, JSON.stringify({
        text: textarea.value, spent: spent, savedAt: Date.now(), base: base,
        submitting: submitted || undefined,  // cleared by the result page once it arrives
      }));
    } catch (e) { /* storage full or disabled: the server copy still works */ }
  }

  function say(message, warn) {
    status.textContent = message;
    status.className = warn ? "warn" : "";
  }

  // Restore this device's copy when it was typed on top of the draft the page shows (or of no
  // draft at all) and not saved yet. A copy still marked as being submitted means the
  // submission never reached its result page (which clears the copy).
  const local = readLocal();
  const localDiffers = Boolean(local && local.text && local.text !== textarea.value);
  if (localDiffers && (local.base || "") === base) {
    textarea.value = local.text;
    spent = Math.max(spent, local.spent || 0);
    dirty = true;
    if (local.submitting) {
      say("Your last submission may not have got through, so your text is back. Check " +
          "My attempts before you submit it again.", true);
    } else {
      say("Restored the text you typed on this device.");
    }
  } else if (textarea.value !== textarea.defaultValue) {
    dirty = true;  // the browser put back text typed before a reload or Back: keep it safe
  }
  // The server's draft has moved on (saved from another tab or device) yet this device holds
  // other text: set it aside, so the next keystroke does not overwrite it, and offer it back.
  const olderKey = key + ":older";
  const older = (localDiffers && local.text.trim() && (local.base || "") !== base)
    ? local : readOlder();
  if (older && older.text !== textarea.value) offerOlder(older);
  if (dirty) writeLocal();

  function localTime(date) {
    return date.toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" });
  }

  function readOlder() {
    try { return JSON.parse(localStorage.getItem(olderKey) || "null"); } catch (e) { return null; }
  }
  function offerOlder(copy) {
    try { localStorage.setItem(olderKey, JSON.stringify(copy)); } catch (e) { /* kept in memory */ }
    const offer = document.createElement("p");
    offer.className = "older-copy";
    const when = new Date(copy.savedAt).toLocaleString([], { dateStyle: "medium", timeStyle: "short" });
    offer.textContent = copy.submitting
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
        try { localStorage.removeItem(olderKey); } catch (e) { /* nothing to clear */ }
        offer.remove();
        textarea.focus();
      });
      offer.appendChild(b);
    }
    button("Use it instead", function () {
      textarea.value = copy.text;
      dirty = true;
      writeLocal();
      countWords();
      say("The text from this device is back; the next save keeps it.");
    });
    button("Discard it", writeLocal);  // the server's draft stays, and this device copies it
    document.querySelector(".answer-tools").after(offer);
  }
  if (base && !dirty) say("Draft saved " + localTime(new Date(base)));

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

  function save() {
    if (!dirty || inflight || submitted) return inflight;
    const sent = textarea.value;
    inflight = fetch(draftUrl, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRFToken": csrf },
      body: JSON.stringify({
        answer_text: sent, time_spent_seconds: spent, attempt_id: attemptField.value || null,
        base_version: base,
      }),
    }).then(function (response) {
      const kept = " Your text is kept on this device.";
      if (response.status === 409) {
        // The draft moved on in another tab (submitted, or saved with other text): this page's
        // text becomes a draft of its own at the next save, and both are kept.
        return response.json().then(function (body) {
          attemptField.value = "";
          base = "";
          writeLocal();
          say(body.reason === "changed"
            ? "This draft was changed in another tab, so the text here is saved as a separate draft."
            : "That draft was submitted elsewhere; what you type here is saved as a new draft.");
        });
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
          base = saved.saved_at;
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
  textarea.addEventListener("blur", save);
  window.addEventListener("online", save);
  window.addEventListener("pagehide", function () { if (dirty && !submitted) writeLocal(); });
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
