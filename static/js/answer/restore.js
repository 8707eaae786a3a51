// What the answer page does with this device's copies when it opens: restore one into the box,
// offer one back, forget the ones it shows already. A pure function of what the server sent and
// what the device kept (tests/js/restore.test.js).
//
// page:   {key, version, text, hasDraft, refused} - the draft the server shows (version 0 and
//         hasDraft false when there is none yet) and whether it refused the last post
// copies: [{name, copy}] where copy is {key, version, text, savedAt, submitting}
// busy:   keys another open page is editing; their copies are theirs
// others: keys of the candidate's other drafts, whose own pages restore their copies
//
// Returns {restore, offer, forget}: at most one copy to put in the box (the page then goes on
// with its key), at most one to offer (the newest), and the names of copies no longer needed.
export function decide(page, copies, busy = [], others = []) {
  const restorable = [];
  const offerable = [];
  const forget = [];
  for (const entry of copies) {
    const copy = entry.copy;
    const key = copy.key;
    if (key && (busy.indexOf(key) !== -1 || others.indexOf(key) !== -1)) continue;
    if (!copy.text.trim() || copy.text === page.text) {
      if (key !== page.key) forget.push(entry.name); // nothing the page does not show
      continue;
    }
    const unsavedHere = key === page.key && (copy.version || 0) > page.version;
    // A key the server does not know was never saved (or its draft is gone): on a page with no
    // draft of its own, that copy is the answer this page is for.
    const neverSaved = Boolean(key) && key !== page.key && !page.hasDraft;
    (unsavedHere || neverSaved ? restorable : offerable).push(entry);
  }
  const newestFirst = (a, b) => (b.copy.savedAt || 0) - (a.copy.savedAt || 0);
  restorable.sort(newestFirst);
  const restore = page.refused ? null : restorable.shift() || null;
  offerable.push(...restorable);
  offerable.sort(newestFirst);
  return { restore: restore, offer: offerable[0] || null, forget: forget };
}
