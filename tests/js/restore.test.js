import assert from "node:assert/strict";
import { test } from "node:test";

import { decide } from "../../static/js/answer/restore.js";

const SHOWN = { key: "k1", version: 3, text: "Server text.", hasDraft: true, refused: false };
const FRESH = { key: "fresh", version: 0, text: "", hasDraft: false, refused: false };

function kept(name, copy) {
  return { name: name, copy: { savedAt: 1000, ...copy } };
}

test("text typed on this draft after its last save comes back", () => {
  const copy = kept("c:k1", { key: "k1", version: 4, text: "Server text, typed on." });
  assert.deepEqual(decide(SHOWN, [copy]), { restore: copy, offer: null, forget: [] });
});

test("a copy of what the server shows is not needed", () => {
  const same = kept("c:k1", { key: "k1", version: 3, text: "Server text." });
  const other = kept("c:k9", { key: "k9", version: 2, text: "Server text." });
  assert.deepEqual(decide(SHOWN, [same, other]), { restore: null, offer: null, forget: ["c:k9"] });
});

test("a copy older than the server's version is offered, never thrown away unasked", () => {
  const older = kept("c:k1", { key: "k1", version: 2, text: "Words from the train." });
  assert.deepEqual(decide(SHOWN, [older]), { restore: null, offer: older, forget: [] });
});

test("a draft that never reached the server comes back on a page with no draft", () => {
  const lost = kept("c:k7", { key: "k7", version: 2, text: "Typed offline before any save." });
  assert.deepEqual(decide(FRESH, [lost]), { restore: lost, offer: null, forget: [] });
});

test("on a page showing a draft, a copy under another key is offered", () => {
  const elsewhere = kept("c:k7", { key: "k7", version: 1, text: "Another tab's words." });
  assert.deepEqual(decide(SHOWN, [elsewhere]), { restore: null, offer: elsewhere, forget: [] });
});

test("copies other pages are editing, or other drafts' pages will restore, are left alone", () => {
  const busy = kept("c:k5", { key: "k5", version: 9, text: "Being typed in another tab." });
  const other = kept("c:k6", { key: "k6", version: 9, text: "Another draft's unsaved words." });
  assert.deepEqual(decide(FRESH, [busy, other], ["k5"], ["k6"]), {
    restore: null,
    offer: null,
    forget: [],
  });
});

test("a refused post shows its own text: the device's copies are only offered", () => {
  const copy = kept("c:k1", { key: "k1", version: 4, text: "Typed before the refusal." });
  const decision = decide({ ...SHOWN, refused: true }, [copy]);
  assert.deepEqual(decision, { restore: null, offer: copy, forget: [] });
});

test("the newest copy is restored and the next newest offered", () => {
  const older = kept("c:a", { key: "a", version: 1, text: "Older.", savedAt: 10 });
  const newer = kept("c:b", { key: "b", version: 1, text: "Newer.", savedAt: 20 });
  assert.deepEqual(decide(FRESH, [older, newer]), { restore: newer, offer: older, forget: [] });
});

test("a copy kept by an older page (no key) and blank copies", () => {
  const legacy = kept("c:tab:x", { text: "Kept by the old page.", draft: "12" });
  const blank = kept("c:k3", { key: "k3", version: 2, text: "  \n" });
  assert.deepEqual(decide(SHOWN, [legacy, blank]), {
    restore: null,
    offer: legacy,
    forget: ["c:k3"],
  });
});
