import assert from "node:assert/strict";
import { test } from "node:test";

import { DraftState } from "../../static/js/answer/draft-state.js";

const ONLINE = { inflight: false, online: true };
const KEPT = " Your text is kept on this device.";

function fresh(options = {}) {
  return new DraftState({ onServer: false, ...options });
}

function typed(state) {
  state.changed();
  return state;
}

test("nothing is sent until something is typed", () => {
  assert.deepEqual(fresh().beforeSave("", ONLINE), { send: false, status: null });
  assert.deepEqual(typed(fresh()).beforeSave("Roll back first.", ONLINE), {
    send: true,
    status: null,
  });
});

test("an empty box or the bare template is no draft, unless it empties a saved one", () => {
  const template = "Situation:\nAction:";
  const blank = typed(fresh({ template: template }));
  assert.equal(blank.beforeSave("   \n", ONLINE).send, false);
  assert.equal(blank.unsaved, false); // nothing to keep, nothing to retry
  const bare = typed(fresh({ template: template }));
  assert.equal(bare.beforeSave("  Situation:  Action: ", ONLINE).send, false);
  const emptied = typed(fresh({ onServer: true, template: template }));
  assert.equal(emptied.beforeSave("", ONLINE).send, true);
});

test("no save races another, a posted form, or the answer already submitted", () => {
  const state = typed(fresh());
  assert.equal(state.beforeSave("Words.", { inflight: true, online: true }).send, false);
  state.heard({ kind: "same-as-submitted" }, "Words.", "Words.", "10:00");
  assert.equal(state.beforeSave("Words.", ONLINE).send, false);
  assert.equal(state.beforeSave("Words, edited.", ONLINE).send, true);
  state.post("draft");
  assert.equal(state.beforeSave("Words, edited.", ONLINE).send, false);
});

test("offline, the text stays unsaved and the page says whether this device keeps it", () => {
  const state = typed(fresh());
  assert.deepEqual(state.beforeSave("Words.", { inflight: false, online: false }), {
    send: false,
    status: { text: "Not saved to the server yet (offline)." + KEPT, warn: true },
  });
  assert.equal(state.unsaved, true);
  state.keptHere = false;
  const status = state.beforeSave("Words.", { inflight: false, online: false }).status;
  assert.match(status.text, /cannot keep a copy, so keep this page open until it is saved\.$/);
});

test("a save heard back is saved only if the box still holds what it sent", () => {
  const state = typed(fresh());
  const reply = state.heard({ kind: "saved", version: 2 }, "Words.", "Words, and more.", "10:05");
  assert.deepEqual(reply, { writeCopy: true, status: { text: "Draft saved 10:05", warn: false } });
  assert.equal(state.onServer, true);
  assert.equal(state.unsaved, true); // typed on meanwhile: the next save sends the rest
  state.heard({ kind: "saved", version: 3 }, "Words, and more.", "Words, and more.", "10:06");
  assert.equal(state.unsaved, false);
  assert.equal(state.keepsCopy, false);
});

test("an emptied draft is cleared, and the next empty box saves nothing", () => {
  const state = typed(fresh({ onServer: true }));
  const reply = state.heard({ kind: "cleared" }, "", "", "10:05");
  assert.equal(reply.status.text, "Draft cleared.");
  assert.equal(state.onServer, false);
  state.changed();
  assert.equal(state.beforeSave(" ", ONLINE).send, false);
});

test("replies that leave the text unsaved say why and keep it on this device", () => {
  const state = typed(fresh());
  const say = (result) => state.heard(result, "Words.", "Words.", "10:05").status;
  assert.deepEqual(say({ kind: "retry" }), {
    text: "Not saved to the server yet (offline?)." + KEPT,
    warn: true,
  });
  assert.match(say({ kind: "retry", status: 503 }).text, /^The server could not save just now/);
  assert.match(say({ kind: "logged-out" }).text, /^You are logged out/);
  assert.equal(say({ kind: "retired", message: "Retired." }).text, "Retired." + KEPT);
  assert.match(say({ kind: "outdated" }).text, /^This page is out of date/);
  assert.equal(state.unsaved, true);
});

test("a refused text is not sent again until it changes", () => {
  const state = typed(fresh());
  state.heard({ kind: "refused", message: "Too long." }, "Long.", "Long, typed on.", "10:05");
  assert.equal(state.unsaved, true); // the box moved on: its text may be fine
  const status = state.heard({ kind: "refused", message: "Too long." }, "Long.", "Long.", "10:06");
  assert.deepEqual(status, { status: { text: "Too long." + KEPT, warn: true } });
  assert.equal(state.unsaved, false);
});

test("a draft moved on elsewhere: the text goes on unsaved as a separate draft", () => {
  const state = fresh({ onServer: true });
  assert.deepEqual(state.heard({ kind: "fork", reason: "changed" }, "W.", "W.", "10:05"), {
    fork: "changed",
  });
  const status = state.movedOn("changed");
  assert.equal(status.text, "This draft was changed elsewhere, so the text here is saved as a " +
    "separate draft.");
  assert.equal(state.onServer, false);
  assert.equal(state.unsaved, true);
  assert.match(state.movedOn("submitted").text, /^That draft was submitted elsewhere/);
  const saved = state.heard({ kind: "saved", version: 1 }, "W.", "W.", "10:06").status;
  assert.equal(saved.text, "Draft saved 10:06, as a separate draft.");
});

test("a copy carries the next save's version while unsaved, and stays while submitting", () => {
  const state = fresh({ onServer: true });
  assert.equal(state.keepsCopy, false);
  assert.equal(state.copyVersion(4), 4);
  state.changed();
  assert.equal(state.copyVersion(4), 5);
  state.heard({ kind: "saved", version: 5 }, "W.", "W.", "10:05");
  state.post("submit");
  assert.equal(state.keepsCopy, true);
});

test("back from the browser's cache: reload, edit the submission again, or stay", () => {
  const submitting = { submitting: true };
  const sent = fresh();
  sent.post("submit");
  assert.equal(sent.returned(null, true), "reload"); // the result page cleared the copy
  const lost = fresh();
  lost.post("submit");
  assert.equal(lost.returned(submitting, true), "edit");
  assert.equal(lost.posted, null);
  assert.equal(lost.unsaved, true);
  const drafted = fresh();
  drafted.post("draft");
  assert.equal(drafted.returned(submitting, true), "reload");
  assert.equal(fresh().returned(null, true), "reload"); // nothing unsaved: fetch it afresh
  assert.equal(fresh().returned(null, false), "stay"); // offline: keep what is shown
  assert.equal(typed(fresh()).returned(null, true), "stay");
});

test("as the page opens, the status says what it restored, or that a draft is saved", () => {
  const restored = fresh({ onServer: true }).opened({ text: "W." }, "09:30");
  assert.deepEqual(restored, { text: "Restored the text you typed on this device.", warn: false });
  const resubmit = fresh().opened({ text: "W.", submitting: true }, "");
  assert.equal(resubmit.warn, true);
  assert.match(resubmit.text, /^Your last submission may not have got through/);
  const elsewhere = fresh({ onServer: true });
  elsewhere.forked();
  assert.match(elsewhere.opened(null, "09:30").text, /^This answer is open in another tab/);
  assert.deepEqual(fresh({ onServer: true }).opened(null, "09:30"), {
    text: "Draft saved 09:30",
    warn: false,
  });
  assert.equal(fresh({ onServer: true, refused: true }).opened(null, "09:30"), null);
  assert.equal(fresh().opened(null, ""), null);
});

test("choosing the device's copy makes the text unsaved and says the next save keeps it", () => {
  const state = fresh({ onServer: true });
  assert.equal(state.usedCopy().text, "The text from this device is back; the next save keeps it.");
  assert.equal(state.unsaved, true);
});
