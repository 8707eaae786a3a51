// The save loop: the answer goes to the server under the page's draft key with a version the
// page counts, one save at a time. A save whose reply was lost is simply sent again (with the
// next version); the server keeps whichever version is newest, so a late save never overwrites
// a newer one.

const KEEPALIVE_LIMIT = 60000; // browsers refuse a keepalive request over 64 KiB

export function newKey() {
  if (globalThis.crypto.randomUUID) return crypto.randomUUID();
  // Outside a secure context (plain http to a LAN host) there is no randomUUID.
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

// What a reply means for the page (pure: tests/js/drafts.test.js). `status` is the HTTP status
// (0 when no reply came), `body` its JSON (or null), `key` the key the save was sent under.
export function outcome(status, body, key, redirected) {
  if (redirected || status === 401) return { kind: "logged-out" };
  if (status === 0 || status === 429 || status >= 500) return { kind: "retry", status };
  if (status === 200 && body) {
    return body.attempt_id ? { kind: "saved", version: body.version } : { kind: "cleared" };
  }
  if (status === 409 && body && body.reason === "retired") {
    return { kind: "retired", message: body.error };
  }
  if (status === 409 && body && body.reason === "submitted" && body.draft_key !== key) {
    return { kind: "same-as-submitted" }; // retyped or pasted: saving it would change nothing
  }
  if (status === 409 && body && (body.reason === "submitted" || body.reason === "changed")) {
    return { kind: "fork", reason: body.reason }; // this key's draft moved on elsewhere
  }
  if (body && body.error) return { kind: "refused", message: body.error };
  return { kind: "outdated" }; // not an answer this page knows: it is out of date
}

export class DraftSaver {
  // draft: {key, sent} - the key and the highest version sent (or stored) so far
  constructor(url, csrf, draft, timeoutMs) {
    this.url = url;
    this.csrf = csrf;
    this.key = draft.key;
    this.sent = draft.sent;
    this.timeoutMs = timeoutMs;
    this.inflight = null;
  }

  // The version the next save (or a post of the form) carries.
  get nextVersion() {
    return this.sent + 1;
  }

  // Another key from now on: the text becomes a draft of its own.
  fork() {
    this.key = newKey();
    this.sent = 0;
  }

  // Send the text; resolves to {outcome, text, key} once the reply is read (or given up).
  send(text, seconds, leaving) {
    this.sent += 1;
    const key = this.key;
    const body = JSON.stringify({
      draft_key: key,
      version: this.sent,
      answer_text: text,
      time_spent_seconds: seconds,
    });
    const signal = AbortSignal.timeout ? AbortSignal.timeout(this.timeoutMs) : undefined;
    this.inflight = fetch(this.url, {
      method: "POST",
      credentials: "same-origin",
      // A save started as the page goes away still gets sent, if it is small enough to.
      keepalive: leaving === true && new Blob([body]).size < KEEPALIVE_LIMIT,
      signal: signal,
      headers: { "Content-Type": "application/json", "X-CSRFToken": this.csrf },
      body: body,
    })
      .then(
        (response) =>
          response.json().then(
            (json) => outcome(response.status, json, key, response.redirected),
            () => outcome(response.status, null, key, response.redirected),
          ),
        () => outcome(0, null, key, false),
      )
      .then((result) => ({ outcome: result, text: text, key: key }))
      .finally(() => {
        this.inflight = null;
      });
    return this.inflight;
  }
}
