// The answer timer: it starts when the candidate presses Start or types, can be paused and
// resumed, and counts toward the question's time limit. The stopwatch takes its clock as an
// argument, so tests/js/timer.test.js drives it without waiting.

export class Stopwatch {
  constructor(seconds, now) {
    this.now = now;
    this.banked = seconds * 1000; // milliseconds counted before the current run
    this.since = null; // when the current run started; null while stopped
  }

  get running() {
    return this.since !== null;
  }

  start() {
    if (!this.running) this.since = this.now();
  }

  pause() {
    if (!this.running) return;
    this.banked += this.now() - this.since;
    this.since = null;
  }

  seconds() {
    const current = this.running ? this.now() - this.since : 0;
    return Math.floor((this.banked + current) / 1000);
  }
}

function clock(seconds) {
  const s = Math.abs(seconds);
  return Math.floor(s / 60) + ":" + String(s % 60).padStart(2, "0");
}

// What the timer shows after `spent` seconds: time left against a limit (a warning in the last
// minute, "over" past it), or the time spent when the question has none.
export function clockFace(spent, limit) {
  if (!limit) return { text: clock(spent), level: "" };
  const left = limit - spent;
  if (left > 0) return { text: clock(left) + " left", level: left <= 60 ? "warn" : "" };
  return { text: "Time is up (" + clock(left) + " over)", level: "over" };
}

// What screen readers are told as the time moves from `before` to `after` seconds: the two
// moments that matter, not every second.
export function timeAlert(before, after, limit) {
  if (!limit) return "";
  if (before < limit && after >= limit) return "Time is up. You can still finish and submit.";
  if (limit > 60 && before < limit - 60 && after >= limit - 60) return "One minute left.";
  return "";
}
