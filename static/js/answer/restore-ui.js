// The page opening with what this device kept: restore.js decides which copy goes back in the box
// and which is offered ("Use it instead", "Discard it"); this module does it, and says so.
import { localTime } from "./autosave.js";
import { busyKeys } from "./locks.js";
import { decide } from "./restore.js";

// drafts: the page's Autosave; clock: its AnswerClock; showCounts: brings the counts up to date;
// page: {shown, hasDraft, refused, others, savedAt, anchor} - the text the server sent, whether
// it sent a draft, whether it refused the last post, the keys of the candidate's other drafts,
// when the draft was saved (ISO 8601, if it sent one), and the element the offer goes after.
export async function reopen(drafts, clock, showCounts, page) {
  const { box, copies, saver, state } = drafts;
  const typedMeanwhile = box.value !== page.shown; // while the page was claiming its draft
  const choice = decide(
    {
      key: saver.key,
      version: saver.sent,
      text: box.value,
      hasDraft: page.hasDraft,
      refused: page.refused || typedMeanwhile,
    },
    copies.all(),
    await busyKeys(saver.key),
    page.others,
  );
  choice.forget.forEach((name) => copies.forget(name));
  if (typedMeanwhile) {
    state.changed(); // typed before the page was ready: as if typed now
    if (box.value.trim()) clock.start();
  }
  const restored = choice.restore && choice.restore.copy;
  if (restored) {
    // A copy whose draft never reached the server: this page carries it on, under its key.
    if (restored.key !== saver.key) await drafts.takeOver(restored.key);
    box.value = restored.text;
    saver.sent = Math.max(saver.sent, restored.version || 0); // newer than any save it made
    clock.carryOn(restored.spent);
    state.changed();
    const name = choice.restore.name;
    if (name !== copies.nameFor(saver.key)) copies.forget(name);
  }
  drafts.say(state.opened(restored, page.hasDraft ? localTime(new Date(page.savedAt)) : ""));
  if (choice.offer) page.anchor.after(offer(choice.offer, drafts, showCounts));
  drafts.writeCopy();
}

// The paragraph that offers a copy back, with its two buttons; either one forgets the copy.
function offer(entry, drafts, showCounts) {
  const copy = entry.copy;
  const offerBox = document.createElement("p");
  offerBox.className = "older-copy";
  const when = new Date(copy.savedAt || 0).toLocaleString([], {
    dateStyle: "medium",
    timeStyle: "short",
  });
  offerBox.textContent = copy.submitting
    ? "This device kept an answer you submitted " + when + "; check My attempts in case it " +
      "did not get through. "
    : "This device has other text for this answer, from " + when + ". ";
  function button(label, onClick) {
    const b = document.createElement("button");
    b.type = "button";
    b.className = "secondary";
    b.textContent = label;
    b.addEventListener("click", function () {
      drafts.copies.forget(entry.name); // first: the page's own copy may be written under it
      onClick();
      offerBox.remove();
      drafts.box.focus();
    });
    offerBox.appendChild(b);
  }
  button("Use it instead", function () {
    drafts.box.value = copy.text;
    const status = drafts.state.usedCopy();
    drafts.writeCopy();
    showCounts();
    drafts.say(status);
  });
  button("Discard it", function () {
    /* the text on the page stays as it is */
  });
  return offerBox;
}
