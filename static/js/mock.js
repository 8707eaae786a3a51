// The mock interview's question page: a countdown, an autosave with a version the page counts
// (a save lands only if it is newer, so a lost reply is simply sent again), and a copy of the
// answer in this browser's storage. On the report page it clears those copies.
(function () {
  "use strict";

  function readCopy(key) {
    try { return JSON.parse(localStorage.getItem(key) || "null"); } catch (e) { return null; }
  }

  function writeCopy(key, copy) {
    try { localStorage.setItem(key, JSON.stringify(copy)); } catch (e) { /* storage full or off */ }
  }

  function forgetCopies(prefix, keep) {
    try {
      const keys = [];
      for (let i = 0; i < localStorage.length; i += 1) keys.push(localStorage.key(i));
      keys.filter((k) => k && k.startsWith(prefix) && k !== keep)
        .forEach((k) => localStorage.removeItem(k));
    } catch (e) { /* nothing to clear */ }
  }

  function clock(seconds) {
    const s = Math.max(0, Math.floor(seconds));
    return Math.floor(s / 60) + ":" + String(s % 60).padStart(2, "0");
  }

  const finished = document.getElementById("mock-finished");
  if (finished) {
    forgetCopies(finished.dataset.storagePrefix, null);
    return;
  }

  const form = document.getElementById("mock-form");
  if (!form) return;
  const box = form.querySelector("textarea[name=answer_text]");
  const versionField = form.querySelector("input[name=version]");
  const secondsField = form.querySelector("input[name=seconds_used]");
  const timer = document.getElementById("mock-timer");
  const alertBox = document.getElementById("time-alert");
  const status = document.getElementById("save-status");
  const csrf = document.querySelector('meta[name="csrf-token"]').content;
  const key = form.dataset.storageKey;
  const position = parseInt(form.dataset.position, 10);
  const limit = parseInt(form.dataset.timeLimit, 10);
  const autosaveMs = Math.max(1, parseInt(form.dataset.autosaveSeconds, 10) || 5) * 1000;
  const baseSeconds = parseInt(form.dataset.secondsUsed, 10) || 0;
  const openedAt = Date.now();

  let version = parseInt(form.dataset.version, 10) || 0; // the newest version of the text
  let confirmed = version; // the newest version the server has acknowledged
  let inflight = false;
  let leaving = false; // once a form is posted, it carries the text: no more autosaves
  let timeUp = baseSeconds >= limit;

  forgetCopies(form.dataset.storagePrefix, key); // earlier questions are on the server

  // The device's copy wins only if it is newer than what the server sent.
  const copy = readCopy(key);
  if (copy && typeof copy.version === "number" && copy.version > version
      && typeof copy.text === "string") {
    if (copy.text !== box.value) {
      box.value = copy.text;
      status.textContent = "Restored from this browser: not saved to the server yet";
    }
    version = copy.version;
  } else if (box.value !== box.defaultValue) {
    version += 1; // typed before this script ran: newer than what the server sent
  }
  versionField.value = String(version);

  function secondsUsed() {
    return Math.max(baseSeconds, baseSeconds + Math.floor((Date.now() - openedAt) / 1000));
  }

  function tick() {
    const used = secondsUsed();
    secondsField.value = String(used);
    const left = limit - used;
    if (left > 0) {
      timer.textContent = clock(left) + " left of " + clock(limit);
      timer.classList.toggle("warn", left <= 60);
    } else {
      timer.textContent = "Time is up (" + clock(-left) + " over): finish your point and move on";
      timer.classList.add("warn");
      if (!timeUp) {
        timeUp = true;
        alertBox.textContent = "Time is up for this question. Nothing is lost: finish your point, then go on.";
      }
    }
  }

  function keepCopy() {
    writeCopy(key, { text: box.value, version: version, at: Date.now() });
  }

  function send(keepalive) {
    if (leaving || (inflight && !keepalive)) return;
    const sent = version;
    const body = JSON.stringify({
      position: position, version: sent, answer_text: box.value, seconds_used: secondsUsed(),
    });
    const request = fetch(form.dataset.saveUrl, {
      method: "POST",
      credentials: "same-origin",
      keepalive: keepalive,
      headers: { "Content-Type": "application/json", "X-CSRFToken": csrf },
      body: body,
    });
    if (keepalive) return;
    inflight = true;
    request.then((response) => response.json().then((reply) => ({ response, reply })))
      .then(({ response, reply }) => {
        if (response.ok && !reply.held && sent === version && sent > confirmed) {
          // Another tab saved other text at this version or later: the text just typed here,
          // the newest, goes in as the next version; no save is claimed that did not land.
          version = reply.version + 1;
          versionField.value = String(version);
          keepCopy();
          status.textContent = "Saving…";
        } else if (response.ok && !reply.held && version <= confirmed) {
          // Nothing typed here since: the newer text is another tab's, and it stays.
          status.textContent = "Changed in another tab: reload to see the latest answer";
        } else if (response.ok) {
          if (reply.held) confirmed = Math.max(confirmed, sent);
          status.textContent = confirmed >= version ? "Saved" : "Saving…";
        } else if (response.status === 409 && reply.report && !leaving) {
          status.textContent = "This interview has ended.";
          window.location.assign(reply.report);
        } else {
          status.textContent = reply.error || "Not saved to the server yet";
        }
      })
      .catch(() => { status.textContent = "Not saved to the server yet: kept in this browser"; })
      .finally(() => {
        inflight = false;
        if (version > confirmed) window.setTimeout(() => send(false), autosaveMs);
      });
  }

  let pending = null;
  box.addEventListener("input", () => {
    version += 1;
    versionField.value = String(version);
    keepCopy();
    status.textContent = "Saving…";
    if (pending === null) {
      pending = window.setTimeout(() => { pending = null; send(false); }, autosaveMs);
    }
  });
  box.addEventListener("blur", () => { if (version > confirmed) send(false); });
  window.addEventListener("pagehide", () => { if (!leaving) send(true); });
  form.addEventListener("submit", () => {
    leaving = true;
    tick();
    versionField.value = String(version);
    keepCopy();
  });
  // Time used reaches the server every half minute even while nobody types.
  window.setInterval(() => send(false), 30000);
  window.setInterval(tick, 1000);
  tick();
  if (version > confirmed) send(false);
})();
