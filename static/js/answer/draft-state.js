// Where the page's draft stands between the box and the server, and what the status line says
// about it: whether the text is unsaved, whether the server holds a draft under the page's key,
// whether a button posted the form. Pure (no DOM, no requests, no clock), so
// tests/js/draft-state.test.js walks it through the edge cases; autosave.js carries it out.
// A status is {text, warn}; null leaves the status line as it is.

const KEPT = " Your text is kept on this device.";
const NOT_KEPT = " This browser cannot keep a copy, so keep this page open until it is saved.";
const WAIT = { send: false, status: null };
const SAME_AS_SUBMITTED =
  "This is the answer you already submitted (see My attempts); edit it to save a new draft.";
const RESTORED = "Restored the text you typed on this device.";
const MAYBE_LOST =
  "Your last submission may not have got through, so your text is back. Check My attempts " +
  "before you submit it again.";
const OPEN_ELSEWHERE =
  "This answer is open in another tab, so what you type here is saved as a separate draft.";

function said(text, warn = false) {
  return { text: text, warn: warn };
}

// What the status line says of a reply that left the text unsaved (before the kept note).
function whyNotSaved(result) {
  if (result.kind === "retry" && result.status >= 500) {
    return "The server could not save just now; it will try again.";
  }
  if (result.kind === "retry") return "Not saved to the server yet (offline?).";
  if (result.kind === "logged-out") {
    return "You are logged out, so this was not saved. Log in again in another tab.";
  }
  // Retired: no more answers; refused: the server says why. Either way the text stays here.
  if (result.kind === "retired" || result.kind === "refused") return result.message;
  return "This page is out of date, so this was not saved. Reload it.";
}

function sameWords(a, b) {
  return a.trim().split(/\s+/).join(" ") === b.trim().split(/\s+/).join(" ");
}

export class DraftState {
  // onServer: the server sent a draft saved under the page's key; refused: it refused the last
  // post and shows its text, which is then unsaved; template: the question's answer template.
  constructor({ onServer, refused = false, template }) {
    this.unsaved = refused; // the box holds text the server may not have
    this.onServer = onServer; // the server holds a draft under the page's key
    this.separate = false; // the text became a draft of its own, apart from the one shown
    this.posted = null; // "draft" or "submit" once a button posted the form: no autosave races it
    this.keptHere = true; // whether this device could keep the latest copy
    this.asSubmitted = null; // text the server holds as a submitted answer: not a draft
    this.template = template;
  }

  // The text in the box changed (typed, dictated, restored): the server may not have it.
  changed() {
    this.unsaved = true;
  }

  // The page's text goes on under a new key (another tab has the draft open): nothing is saved
  // under it yet.
  forked() {
    this.onServer = false;
    this.separate = true;
  }

  // This device keeps a copy while the text holds something the server may not have, and while
  // a submission is on its way (its result page clears the copy).
  get keepsCopy() {
    return this.unsaved || this.posted === "submit";
  }

  // The version a copy carries: that of the next save while the text is unsaved.
  copyVersion(sent) {
    return this.unsaved ? sent + 1 : sent;
  }

  keptNote() {
    return this.keptHere ? KEPT : NOT_KEPT;
  }

  // Whether a save goes now: {send, status}. An empty box (or the bare template) on a page
  // whose key holds no draft is nothing a draft would keep.
  beforeSave(text, { inflight, online }) {
    if (!this.unsaved || inflight || this.posted || text === this.asSubmitted) return WAIT;
    const blank = !text.trim() || (this.template !== undefined && sameWords(text, this.template));
    if (!this.onServer && blank) {
      this.unsaved = false;
      return WAIT;
    }
    if (!online) {
      // It could not leave this device; the "online" event saves as soon as it can.
      const status = said("Not saved to the server yet (offline)." + this.keptNote(), true);
      return { send: false, status: status };
    }
    return { send: true, status: null };
  }

  // A save's reply under the page's key: `result` is its outcome (drafts.js), `sent` the text it
  // carried, `now` the text in the box, `time` the time of day. Returns {status, writeCopy, fork}:
  // fork is the reason the text must go on under a new key (then see movedOn).
  heard(result, sent, now, time) {
    const kind = result.kind;
    if (kind === "saved" || kind === "cleared") {
      this.onServer = kind === "saved";
      if (now === sent) this.unsaved = false;
      const where = this.separate ? ", as a separate draft." : "";
      return {
        writeCopy: true,
        status: said(this.onServer ? "Draft saved " + time + where : "Draft cleared."),
      };
    }
    if (kind === "fork") return { fork: result.reason };
    if (kind === "same-as-submitted") {
      this.asSubmitted = sent;
      return { status: said(SAME_AS_SUBMITTED) };
    }
    if (kind === "refused" && now === sent) this.unsaved = false; // it would be refused again
    return { status: said(whyNotSaved(result) + this.keptNote(), true) };
  }

  // The key's draft was submitted or changed elsewhere: the text goes on, unsaved, as a new draft.
  movedOn(reason) {
    this.forked();
    this.changed();
    return said(
      reason === "submitted"
        ? "That draft was submitted elsewhere; what you type here is saved as a new draft."
        : "This draft was changed elsewhere, so the text here is saved as a separate draft.",
    );
  }

  // A button posted the form: "draft" (Save draft) or "submit".
  post(kind) {
    this.posted = kind;
  }

  // Back from the browser's cache, with the copy kept under the page's key (or null). "reload"
  // shows what the server holds now: the post went through, or nothing here is unsaved. "edit":
  // the submission never reached its result page (which clears the copy), so the text is
  // editable and unsaved again. "stay": the page carries on.
  returned(copy, online) {
    if (this.posted === "submit" && copy && copy.submitting) {
      this.posted = null;
      this.unsaved = true;
      return "edit";
    }
    if (this.posted || (!this.unsaved && online)) return "reload";
    return "stay";
  }

  // The status once the page has opened, with the copy it restored (or null) and the time the
  // server's draft was saved.
  opened(restored, savedAt) {
    if (restored) return restored.submitting ? said(MAYBE_LOST, true) : said(RESTORED);
    if (this.separate) return said(OPEN_ELSEWHERE);
    if (this.onServer && !this.unsaved) return said("Draft saved " + savedAt);
    return null;
  }

  // The candidate chose a copy this device kept over the text shown.
  usedCopy() {
    this.changed();
    return said("The text from this device is back; the next save keeps it.");
  }
}
