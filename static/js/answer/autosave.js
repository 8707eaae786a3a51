// The draft this page edits, kept safe: its key (held with a Web Lock, locks.js), saves to the
// server and their replies (drafts.js), this device's copy (storage.js), and what happens as the
// page is left, posted, or shown again from the browser's cache. What to do and what the status
// line says is decided by the DraftState (draft-state.js); this module carries it out.
import { claim } from "./locks.js";

export function localTime(date) {
  return date.toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" });
}

export class Autosave {
  // parts: {box, keyField, versionField, status} - the answer box, the form's draft_key and
  // version fields and the status line; saver: a DraftSaver; copies: the DeviceCopies;
  // state: a DraftState; clock: what tells the seconds spent.
  constructor(parts, saver, copies, state, clock) {
    this.box = parts.box;
    this.keyField = parts.keyField;
    this.versionField = parts.versionField;
    this.status = parts.status;
    this.saver = saver;
    this.copies = copies;
    this.state = state;
    this.clock = clock;
    this.lock = null;
    this.pageId = Math.random().toString(36).slice(2); // this page load's, in each copy it writes
  }

  say(status) {
    if (!status) return;
    this.status.textContent = status.text;
    this.status.className = status.warn ? "warn" : "";
  }

  useKey(key) {
    this.saver.key = key;
    this.keyField.value = key;
  }

  // A new key from now on, and its lock (held once the promise resolves).
  rekey() {
    this.saver.fork();
    this.useKey(this.saver.key);
    return claim(this.saver.key).then((lock) => {
      this.lock = lock;
    });
  }

  // Take the page's draft; when another tab has it open, this page's text is a draft of its own.
  async claimDraft() {
    this.lock = await claim(this.saver.key);
    if (this.lock.owned) return;
    this.state.forked();
    await this.rekey();
  }

  // Carry on the draft under `key` (a kept copy's, never saved) unless another page holds it.
  async takeOver(key) {
    const taken = await claim(key);
    if (!taken.owned) return;
    this.lock.release();
    this.lock = taken;
    this.useKey(key);
    this.saver.sent = 0;
  }

  // This device's copy is kept while the text holds something the server may not have; once a
  // save of it is heard back, the server has it and the copy goes (it would only be offered back).
  writeCopy() {
    const key = this.saver.key;
    if (!this.state.keepsCopy) {
      this.copies.forget(this.copies.nameFor(key));
      return;
    }
    this.state.keptHere = this.copies.write(key, {
      key: key,
      version: this.state.copyVersion(this.saver.sent),
      text: this.box.value,
      spent: this.clock.seconds(),
      savedAt: Date.now(),
      page: this.pageId,
      submitting: this.state.posted === "submit" || undefined, // cleared by the result page
    });
  }

  save(leaving) {
    const text = this.box.value;
    const online = navigator.onLine !== false;
    const next = this.state.beforeSave(text, { inflight: Boolean(this.saver.inflight), online });
    this.say(next.status);
    if (!next.send) return;
    this.writeCopy(); // so a reload before the reply knows the version this save carries
    this.saver.send(text, this.clock.seconds(), leaving).then((reply) => {
      if (reply.key !== this.saver.key) return; // the page moved on to another draft meanwhile
      const time = localTime(new Date());
      const heard = this.state.heard(reply.outcome, reply.text, this.box.value, time);
      if (heard.fork) {
        this.movedOn(heard.fork);
        return;
      }
      if (heard.writeCopy) this.writeCopy();
      this.say(heard.status);
    });
  }

  // The key's draft was submitted or changed elsewhere: the text goes on under a new key.
  movedOn(reason) {
    const old = this.copies.nameFor(this.saver.key);
    this.lock.release();
    this.rekey();
    this.copies.forget(old); // its text goes on under the new key
    const status = this.state.movedOn(reason);
    this.writeCopy();
    this.say(status);
    this.save();
  }

  // Leaving the page or the tab: keep a copy here and send what is unsaved on its way.
  leave() {
    if (this.state.unsaved && !this.state.posted) {
      this.writeCopy();
      this.save(true);
    }
  }

  pageGone() {
    this.leave();
    this.lock.release(); // the next page in this tab (a reload) takes the draft on
  }

  // A button posted the form: Submit, or Save draft (the one with a formaction).
  posted(submitter) {
    const saving = submitter && submitter.hasAttribute("formaction");
    this.state.post(saving ? "draft" : "submit");
    this.keyField.value = this.saver.key;
    this.versionField.value = String(this.saver.nextVersion); // newer than every save sent
    this.saver.sent = this.saver.nextVersion;
    this.writeCopy();
    // What is typed from now on would not be in the submission, nor restored as a draft.
    this.box.readOnly = this.state.posted === "submit";
  }

  // Back from the browser's cache: reload, or edit on under this key if no other page took it.
  shownAgain() {
    const copy = this.copies.read(this.copies.nameFor(this.saver.key));
    const next = this.state.returned(copy, navigator.onLine !== false);
    if (next === "reload") {
      location.replace(location.href);
      return;
    }
    if (next === "edit") {
      this.box.readOnly = false;
      this.writeCopy();
    }
    claim(this.saver.key).then((taken) => {
      this.lock = taken;
      const newer = copy && copy.page !== this.pageId; // another page typed on under this key
      if (!taken.owned || newer) {
        taken.release();
        this.state.forked(); // what this page shows goes on as a draft of its own
        this.rekey();
      }
      this.writeCopy();
    });
  }
}
