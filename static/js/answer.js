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
  // A save with no reply by then is given up (it may still land, so it counts as unheard), so
  // that a stalled connection never holds up the saves after it.
  const SAVE_TIMEOUT_MS = Math.max(4 * autosaveMs, 10000);
  const KEEPALIVE_LIMIT = 60000;  // browsers refuse a keepalive request over 64 KiB
  let spent = parseInt(timeField.value || "0", 10) || 0;
  let dirty = false;
  let inflight = null;  // the autosave request on its way, if any
  let posting = false;  // a button posted the form: no autosave may race it
  let submitted = false;  // ...and it was Submit
  let keptHere = true;  // whether this device could keep the latest copy
  // The texts of the latest saves whose replies have not come: any of them may have landed,
  // and each save names them, so the server recognises the draft one of them wrote.
  let unheard = [];
  const MAX_UNHEARD = parseInt(form.dataset.maxUnheard || "5", 10);  // as many as the server reads
  // The room a form post leaves for them: the server takes forms up to a size, URL-encoded.
  const FORM_BUDGET = 0.9 * (parseInt(form.dataset.formLimit || "", 10) || Infinity);
  let alreadySubmitted = null;  // text the server holds as a submitted answer: not a draft
  // The question's answer template, which the box starts with: as it came it is no answer yet,
  // so it starts no draft (the server refuses it too).
  const template = form.dataset.template;
  function onlyTemplate(text) {
    return template !== undefined && text.trim().split(/\s+/).join(" ") ===
      template.trim().split(/\s+/).join(" ");
  }

  const pageId = randomId();  // this page load's, in every copy it writes
  // Each open answer page says it is alive every 20 s (a hidden tab's timers may run only once
  // a minute), so another page leaves its copy alone instead of taking its unsaved text over.
  const LIVE_MS = 90000;
  const LIVE_PREFIX = "coach-live:";
  let ownKey = prefix + ":tab:" + tabId(false);
  let wroteOnce = false;
  function randomId() {
    return Date.now().toString(36) + Math.random().toString(36).slice(2, 8);
  }
  // The same id across reloads of this tab. A duplicated tab starts with a copy of its
  // original's session storage, id included, while the original is still open: the page marks
  // the tab open while it shows and closed as it goes, so a copy that starts out marked open
  // belongs to another tab, and takes an id of its own. (A tab duplicated while showing
  // another page is caught later, by writeLocal.)
  function tabId(fresh) {
    try {
      let id = sessionStorage.getItem("coach-tab");
      if (fresh || !id || sessionStorage.getItem("coach-tab-open")) {
        id = randomId();
        sessionStorage.setItem("coach-tab", id);
      }
      sessionStorage.setItem("coach-tab-open", "1");
      return id;
    } catch (e) { return fresh ? randomId() : "only"; }
  }
  function markLive(alive) {
    try {
      if (alive) localStorage.setItem(LIVE_PREFIX + pageId, String(Date.now()));
      else localStorage.removeItem(LIVE_PREFIX + pageId);
    } catch (e) { /* no storage: no copies to protect */ }
  }
  function isLive(page) {
    try {
      const at = parseInt(localStorage.getItem(LIVE_PREFIX + page) || "0", 10);
      return Date.now() - at < LIVE_MS;
    } catch (e) { return false; }
  }
  function forgetDeadPages() {  // marks left by pages that closed without saying so
    keysStartingWith(LIVE_PREFIX).forEach(function (key) {
      if (!isLive(key.slice(LIVE_PREFIX.length))) forget(key);
    });
  }
  markLive(true);
  forgetDeadPages();
  function markTabClosed(closed) {
    try {
      if (closed) sessionStorage.removeItem("coach-tab-open");
      else sessionStorage.setItem("coach-tab-open", "1");
    } catch (e) { /* no session storage: every page has the one id */ }
  }
  // Storage can be full, or switched off altogether: then the page works on without copies.
  function keysStartingWith(start) {
    const keys = [];  // all listed before any is removed, so removing one skips none
    try {
      for (let i = 0; i < localStorage.length; i += 1) {
        const key = localStorage.key(i);
        if (key.startsWith(start)) keys.push(key);
      }
    } catch (e) { /* disabled: nothing kept */ }
    return keys;
  }
  function storedKeys() {  // this question's copies
    return keysStartingWith(prefix).filter(function (key) {
      return key === prefix || key.startsWith(prefix + ":");
    });
  }
  function read(key) {
    try { return JSON.parse(localStorage.getItem(key) || "null"); } catch (e) { return null; }
  }
  function store(key, copy) {
    try {
      localStorage.setItem(key, JSON.stringify(copy));
      return true;
    } catch (e) { return false; }
  }
  function forget(key) {
    try { localStorage.removeItem(key); } catch (e) { /* nothing to clear */ }
  }
  function writeLocal() {
    if (wroteOnce && !writtenByThisPage(ownKey)) {
      // Another live page has written under this tab's key since this page last did (a tab
      // duplicated from this one): this page moves to a key of its own.
      ownKey = prefix + ":tab:" + tabId(true);
    }
    keptHere = store(ownKey, {
      page: pageId,  // first, so writtenByThisPage finds it without reading the rest
      text: textarea.value, spent: spent, savedAt: Date.now(),
      draft: attemptField.value, base: baseField.value, unconfirmed: unheard,
      submitting: submitted || undefined,  // cleared by the result page once it arrives
    });
    wroteOnce = true;
  }
  function writtenByThisPage(key) {
    try {
      const raw = localStorage.getItem(key);
      return raw === null || raw.startsWith('{"page":' + JSON.stringify(pageId) + ",");
    } catch (e) { return true; }
  }
  // What this tab's key held from another page (an earlier one in this tab, say) is kept under
  // a key of its own, to be restored on its draft's page or offered.
  function setAside(copy) {
    const aside = prefix + ":aside:" + (copy.savedAt || Date.now());
    store(aside, copy);
    return aside;
  }
  function keptNote() {
    return keptHere
      ? " Your text is kept on this device."
      : " This browser cannot keep a copy, so keep this page open until it is saved.";
  }

  function say(message, warn) {
    status.textContent = message;
    status.className = warn ? "warn" : "";
  }
  function localTime(date) {
    return date.toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" });
  }

  // What this device holds for this question. A copy typed on the very version of the draft
  // the page shows, and never saved, comes back (the newest, if several tabs left one); so does
  // one with a save that landed unheard, the page showing exactly the text that save sent. A copy
  // still marked as being submitted means the submission never reached its result page (which
  // clears the copy). Copies of the other drafts listed stay for their pages. Anything else
  // (typed on a version since replaced, or on a draft since submitted, or kept by an older
  // version of this page) is offered back, newest first, never thrown away unasked.
  const onPage = [];
  const elsewhere = [];
  const previous = read(ownKey);  // what this tab last kept, perhaps on another draft's page
  storedKeys().forEach(function (key) {
    const copy = read(key);
    if (!copy || !copy.text || !copy.text.trim() || otherDrafts.indexOf(copy.draft) !== -1) {
      return;
    }
    if (copy.page && copy.page !== pageId && isLive(copy.page)) return;  // still being typed
    if (copy.text === textarea.value) {
      if (key !== ownKey) forget(key);  // the page shows it already
      return;
    }
    const typedOnThisVersion = copy.draft !== undefined && copy.draft === attemptField.value &&
      (copy.base || "") === baseField.value;
    const itsSaveLanded = Boolean(attemptField.value) &&
      unheardOf(copy).indexOf(textarea.value) !== -1;
    (typedOnThisVersion || itsSaveLanded ? onPage : elsewhere).push({ key: key, copy: copy });
  });
  const newestFirst = function (a, b) { return (b.copy.savedAt || 0) - (a.copy.savedAt || 0); };
  onPage.sort(newestFirst);
  const restored = form.hasAttribute("data-refused") ? null : onPage.shift();
  elsewhere.push.apply(elsewhere, onPage);
  if (form.hasAttribute("data-refused")) {
    dirty = true;  // the server refused this submission and says why: the text is a draft again
  } else if (restored) {
    const copy = restored.copy;
    // Saves the copy never heard back from may still land (one sent as the page went away,
    // say): this page's saves name them too, until the server answers one.
    unheard = unheardOf(copy);
    textarea.value = copy.text;
    spent = Math.max(spent, copy.spent || 0);
    dirty = true;
    if (restored.key !== ownKey) forget(restored.key);  // this tab carries it on
    if (copy.submitting) {
      say("Your last submission may not have got through, so your text is back. Check " +
          "My attempts before you submit it again.", true);
    } else {
      say("Restored the text you typed on this device.");
    }
  }
  // This tab's key is about to hold the page's text: anything else it held is set aside, to be
  // restored on its own draft's page or offered here.
  if (previous && previous.text && previous.text !== textarea.value &&
      !(restored && restored.key === ownKey)) {
    const aside = setAside(previous);
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

  function unheardOf(copy) {
    return [].concat(copy.unconfirmed || []);  // a list; a page before lists kept one text
  }
  // A post from the form names the unheard saves too (the newest, as many as the server's
  // limit on a form's size leaves room for).
  function nameUnheardSaves() {
    form.querySelectorAll("input[name=unconfirmed_text]").forEach(function (old) { old.remove(); });
    let room = FORM_BUDGET - encodeURIComponent(textarea.value).length;
    unheard.slice().reverse().forEach(function (text) {
      room -= encodeURIComponent(text).length;
      if (room < 0) return;
      const input = document.createElement("input");
      input.type = "hidden";
      input.name = "unconfirmed_text";
      input.value = text;
      form.prepend(input);  // so the form lists them oldest first, as an autosave does
    });
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
    if (body.reason === "retired") {
      say(body.error + keptNote(), true);  // no more answers: the text stays on this device
    } else if (body.reason === "changed") {
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
    if (!dirty || inflight || posting || textarea.value === alreadySubmitted) return inflight;
    if (!attemptField.value && (!textarea.value.trim() || onlyTemplate(textarea.value)) &&
        !unheard.length) {
      dirty = false;  // nothing typed yet that a draft would keep (nor one that may have landed)
      return null;
    }
    if (navigator.onLine === false) {
      // It could not leave this device; the "online" event saves as soon as it can.
      say("Not saved to the server yet (offline)." + keptNote(), true);
      return null;
    }
    const sent = textarea.value;
    const body = JSON.stringify({
      answer_text: sent, time_spent_seconds: spent, attempt_id: attemptField.value || null,
      base_version: baseField.value,
      unconfirmed_text: unheard,  // the server recognises its draft if one of them landed
    });
    unheard = unheard.filter(function (text) { return text !== sent; }).concat([sent])
      .slice(-MAX_UNHEARD);
    writeLocal();  // so a reload before the reply knows this save may have landed
    inflight = fetch(draftUrl, {
      method: "POST",
      credentials: "same-origin",
      // A save started as the page goes away still gets sent, if it is small enough to.
      keepalive: leaving === true && new Blob([body]).size < KEEPALIVE_LIMIT,
      signal: AbortSignal.timeout ? AbortSignal.timeout(SAVE_TIMEOUT_MS) : undefined,
      headers: { "Content-Type": "application/json", "X-CSRFToken": csrf },
      body: body,
    }).then(function (response) {
      const kept = keptNote();
      if (response.status < 500) unheard = [];  // a clear answer: written or refused
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
          // No draft any more when the text was emptied: the next words start a new one.
          attemptField.value = saved.attempt_id ? String(saved.attempt_id) : "";
          baseField.value = saved.saved_at || "";
          writeLocal();  // now based on the version just saved
          if (textarea.value === sent) dirty = false;
          say(saved.attempt_id ? "Draft saved " + localTime(new Date()) : "Draft cleared.");
        });
      }
    }).catch(function () {
      say("Not saved to the server yet (offline?)." + keptNote(), true);
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
    if (dirty && !posting) {
      writeLocal();
      save(true);
    }
  }
  window.addEventListener("pagehide", function () {
    leave();
    markTabClosed(true);
    markLive(false);
  });
  document.addEventListener("visibilitychange", function () {
    if (document.visibilityState === "hidden") leave();
  });
  let waited = false;  // for a save on its way, once: then the button's post goes ahead
  window.addEventListener("pageshow", function (event) {
    if (!event.persisted) return;
    markTabClosed(false);  // back from the browser's cache: this tab shows the page again
    markLive(true);
    const copy = read(ownKey);
    if (!posting) {
      // Pages shown in this tab meanwhile may have kept their text under its key.
      if (copy && copy.page !== pageId && copy.text && copy.text !== textarea.value) {
        setAside(copy);
        forget(ownKey);
      }
      if (dirty) writeLocal();  // this page's unsaved text, kept again under its key
      // Else this page may be out of date: fetch it again (offline, keep what is shown).
      else if (navigator.onLine !== false) location.replace(location.href);
    } else if (submitted && copy && copy.submitting) {
      // The submission never reached its result page (which clears the copy): edit again.
      posting = submitted = waited = false;
      textarea.readOnly = false;
      dirty = true;
      writeLocal();
    } else {
      // The post went through, so this cached page is out of date: fetch what the server
      // holds now (any text typed since is in the device copy, and comes back with it).
      location.replace(location.href);
    }
  });
  form.addEventListener("submit", function (event) {
    const saving = event.submitter && event.submitter.hasAttribute("formaction");  // Save draft
    posting = true;
    submitted = !saving;
    if (inflight && !waited) {
      // Let the save on its way land first, so this post takes over that draft (at its new
      // version) instead of leaving a second one behind (10 s at most: a server that slow
      // fails the post too).
      event.preventDefault();
      writeLocal();
      say("Finishing the last save first…");
      const giveUp = new Promise(function (resolve) { setTimeout(resolve, SUBMIT_WAIT_MS); });
      Promise.race([inflight, giveUp]).then(function () {
        waited = true;
        if (form.requestSubmit) {
          form.requestSubmit(event.submitter);
        } else {  // an older browser: post as the button would, without this handler
          if (event.submitter) form.action = event.submitter.formAction;
          beforePosting();
          form.submit();
        }
      });
      return;
    }
    beforePosting();
  });
  function beforePosting() {
    nameUnheardSaves();
    writeLocal();
    // What is typed from now on would not be in the submission, nor restored as a draft.
    textarea.readOnly = submitted;
  }
  setInterval(save, autosaveMs);
  setInterval(tick, 1000);
  setInterval(function () { markLive(true); }, 20000);
  countWords();
  tick();
})();
