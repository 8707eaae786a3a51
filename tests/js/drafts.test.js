import assert from "node:assert/strict";
import { test } from "node:test";

import { outcome } from "../../static/js/answer/drafts.js";

test("a saved draft, and an emptied one", () => {
  const saved = outcome(200, { attempt_id: 4, draft_key: "k", version: 7 }, "k", false);
  assert.deepEqual(saved, { kind: "saved", version: 7 });
  assert.deepEqual(outcome(200, { attempt_id: null, version: 8 }, "k", false), {
    kind: "cleared",
  });
});

test("no reply, a busy or failing server: try again", () => {
  assert.equal(outcome(0, null, "k", false).kind, "retry");
  assert.equal(outcome(429, null, "k", false).kind, "retry");
  assert.equal(outcome(503, null, "k", false).kind, "retry");
  assert.equal(outcome(503, null, "k", false).status, 503); // so the page says the server failed
});

test("this key's draft moved on elsewhere: the text goes on as a draft of its own", () => {
  const changed = outcome(409, { reason: "changed", version: 9 }, "k", false);
  assert.deepEqual(changed, { kind: "fork", reason: "changed" });
  const submitted = outcome(409, { reason: "submitted", draft_key: "k" }, "k", false);
  assert.deepEqual(submitted, { kind: "fork", reason: "submitted" });
});

test("the answer already submitted under another key, retyped: nothing to save", () => {
  const again = outcome(409, { reason: "submitted", draft_key: "old" }, "k", false);
  assert.deepEqual(again, { kind: "same-as-submitted" });
});

test("refusals say why; logged out and out-of-date pages are told so", () => {
  const retired = outcome(409, { reason: "retired", error: "Retired." }, "k", false);
  assert.deepEqual(retired, { kind: "retired", message: "Retired." });
  const long = outcome(400, { error: "Too long." }, "k", false);
  assert.deepEqual(long, { kind: "refused", message: "Too long." });
  assert.equal(outcome(200, null, "k", true).kind, "logged-out");
  assert.equal(outcome(401, null, "k", false).kind, "logged-out");
  assert.equal(outcome(404, null, "k", false).kind, "outdated");
});
