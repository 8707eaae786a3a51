// Which open page edits which draft: each page holds a Web Lock named after its draft key while
// it shows it, so a second tab sees the draft is taken and starts a draft of its own. Locks end
// with their page, even one that crashed. Browsers without Web Locks (or pages served over plain
// http to another host, where there are none) share the key, and the server's versions decide.

const PREFIX = "coach-answer-draft:";
const LAST_KEY = "coach-answer-editing"; // the key this tab's previous page edited
const RELOAD_WAIT_MS = 5000; // for the lock of this tab's previous page to be given back

function session(action) {
  try {
    return action(window.sessionStorage);
  } catch (e) {
    return null; // storage switched off
  }
}

const NOT_OWNED = { owned: false, release() {} };

function request(key, waitMs) {
  return new Promise((resolve) => {
    let release;
    const held = new Promise((done) => {
      release = done;
    });
    const options =
      waitMs > 0 && AbortSignal.timeout
        ? { signal: AbortSignal.timeout(waitMs) }
        : { ifAvailable: true };
    navigator.locks
      .request(PREFIX + key, options, (lock) => {
        if (!lock) {
          resolve(NOT_OWNED);
          return undefined;
        }
        session((s) => s.setItem(LAST_KEY, key));
        resolve({ owned: true, release: release });
        return held; // kept until release() is called, or the page goes
      })
      .catch(() => resolve(NOT_OWNED)); // waited in vain: another page edits it
  });
}

// Take the draft `key` for this page. A reload waits for the page it replaces to give the lock
// back; any other page that holds it is another tab, and the draft is not this page's.
export function claim(key) {
  if (!navigator.locks) return Promise.resolve({ owned: true, release() {} });
  const reloading = session((s) => s.getItem(LAST_KEY)) === key;
  return request(key, reloading ? RELOAD_WAIT_MS : 0);
}

// The draft keys other open pages are editing now (`own` excepted).
export async function busyKeys(own) {
  if (!navigator.locks) return [];
  const state = await navigator.locks.query();
  return state.held
    .map((lock) => lock.name)
    .filter((name) => name.startsWith(PREFIX) && name !== PREFIX + own)
    .map((name) => name.slice(PREFIX.length));
}
