// The answer page: the timer, live limits, and drafts saved to the server every few seconds, on
// blur and as the page goes, with a copy on this device, so nothing typed is lost to a reload, a
// closed tab, a network drop or a server restart. Text put in the box by other scripts (the
// "Answer aloud" transcript) comes with an `input` event and counts exactly as typing.
//
// This module only reads the page and connects the parts: the clock (timer-ui.js), the counts
// (limits-ui.js), the draft and its saves (autosave.js, deciding by draft-state.js) and what
// this device kept (restore-ui.js).
import { Autosave } from "./autosave.js";
import { DraftState } from "./draft-state.js";
import { DraftSaver } from "./drafts.js";
import { liveCounts } from "./limits-ui.js";
import { reopen } from "./restore-ui.js";
import { DeviceCopies } from "./storage.js";
import { AnswerClock } from "./timer-ui.js";

const form = document.getElementById("answer-form");
if (form) start(form);

function byId(id) {
  return document.getElementById(id);
}

async function start(form) {
  const data = form.dataset;
  const box = form.querySelector("textarea[name=answer_text]");
  const keyField = form.querySelector("input[name=draft_key]");
  const versionField = form.querySelector("input[name=version]");
  const csrf = document.querySelector('meta[name="csrf-token"]').content;
  const autosaveMs = (parseInt(data.autosaveSeconds || "5", 10) || 5) * 1000;
  const hasDraft = Boolean(data.savedAt);
  const refused = form.hasAttribute("data-refused");
  const shown = box.value; // what the server sent

  const clock = new AnswerClock(
    {
      panel: byId("answer-clock"),
      face: byId("timer"),
      toggle: byId("timer-toggle"),
      note: byId("timer-note"),
      alert: byId("time-alert"),
      field: form.querySelector("input[name=time_spent_seconds]"),
    },
    box,
    parseInt(data.timeLimit || "0", 10),
  );
  const showCounts = liveCounts(
    box,
    { words: byId("word-count"), chars: byId("char-count"), alert: byId("limit-alert") },
    parseInt(data.maxChars || "0", 10),
  );
  const drafts = new Autosave(
    { box: box, keyField: keyField, versionField: versionField, status: byId("save-status") },
    // A save with no reply by then is given up (it may still land; the next one is newer), so a
    // stalled connection never holds up the saves after it.
    new DraftSaver(
      data.draftUrl,
      csrf,
      { key: keyField.value, sent: Math.max(0, (parseInt(versionField.value, 10) || 1) - 1) },
      Math.max(4 * autosaveMs, 10000),
    ),
    new DeviceCopies(data.storageKey),
    new DraftState({ onServer: hasDraft, refused: refused, template: data.template }),
    clock,
  );

  await drafts.claimDraft();
  await reopen(drafts, clock, showCounts, {
    shown: shown,
    hasDraft: hasDraft,
    refused: refused,
    others: (data.otherDrafts || "").split(" ").filter(Boolean),
    savedAt: data.savedAt,
    anchor: form.querySelector(".answer-tools"),
  });

  box.addEventListener("input", function () {
    drafts.state.changed();
    clock.typed(box.value);
    showCounts();
    clock.show();
    drafts.writeCopy();
  });
  box.addEventListener("blur", () => drafts.save());
  window.addEventListener("online", () => drafts.save());
  document.addEventListener("visibilitychange", function () {
    const hidden = document.visibilityState === "hidden";
    if (hidden) drafts.leave(); // before the clock pauses: the save carries the time so far
    clock.visibility(hidden);
  });
  window.addEventListener("pagehide", () => drafts.pageGone());
  window.addEventListener("pageshow", function (event) {
    if (event.persisted) drafts.shownAgain(); // back from the browser's cache
  });
  form.addEventListener("submit", function (event) {
    clock.writeSpent();
    drafts.posted(event.submitter);
  });

  setInterval(() => drafts.save(), autosaveMs);
  clock.begin();
  showCounts();
  form.setAttribute("data-ready", ""); // restored or offered: what tests and tools wait for
}
