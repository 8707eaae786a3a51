// The answer clock on the page: the time left (or spent), the Start/Pause button, a pause while
// the tab is hidden, the two alerts screen readers hear, and the time_spent_seconds field the
// form posts. What it shows is timer.js's (tested in node); this module only puts it on the page.
import { Stopwatch, clockFace, timeAlert } from "./timer.js";

const now = () => performance.now();

export class AnswerClock {
  // parts: {panel, face, toggle, note, alert, field} - the clock's elements and the form's
  // time_spent_seconds field (it holds the time already spent); box: the answer box.
  constructor(parts, box, limit) {
    this.parts = parts;
    this.box = box;
    this.limit = limit;
    this.watch = new Stopwatch(parseInt(parts.field.value || "0", 10) || 0, now);
    this.pausedBy = null; // why the clock stopped while it had been running: "hand" or "hidden"
    this.shownSeconds = this.watch.seconds(); // as last shown: the alerts sound once each
    parts.toggle.addEventListener("click", () => this.toggle());
  }

  seconds() {
    return this.watch.seconds();
  }

  start() {
    this.watch.start();
  }

  // Typing starts the clock, unless the candidate paused it by hand.
  typed(text) {
    if (!this.watch.running && this.pausedBy !== "hand" && text.trim()) this.watch.start();
  }

  // A restored copy brings the time it had spent (the clock waits for typing again).
  carryOn(spent) {
    this.watch = new Stopwatch(Math.max(this.watch.seconds(), spent || 0), now);
  }

  toggle() {
    if (this.watch.running) {
      this.watch.pause();
      this.pausedBy = "hand";
    } else {
      this.watch.start();
      this.pausedBy = null;
      this.box.focus();
    }
    this.show();
  }

  // Time away from the page does not count: a hidden tab pauses the clock, and coming back
  // resumes it if it was running.
  visibility(hidden) {
    if (hidden) {
      if (this.watch.running) this.pausedBy = "hidden";
      this.watch.pause();
    } else if (this.pausedBy === "hidden") {
      this.watch.start();
      this.pausedBy = null;
    }
    this.show();
  }

  // The form posts the time spent as it is now, not as last shown.
  writeSpent() {
    this.parts.field.value = String(this.watch.seconds());
  }

  show() {
    const { face, toggle, note, alert } = this.parts;
    const spent = this.watch.seconds();
    const message = timeAlert(this.shownSeconds, spent, this.limit);
    if (message) alert.textContent = message;
    this.shownSeconds = spent;
    this.parts.field.value = String(spent);
    const display = clockFace(spent, this.limit);
    face.textContent = display.text;
    face.className = "timer" + (display.level ? " " + display.level : "");
    toggle.textContent = this.watch.running ? "Pause" : spent > 0 ? "Resume" : "Start";
    toggle.setAttribute("aria-pressed", String(this.watch.running));
    note.textContent = this.watch.running ? "" : spent > 0 ? "Paused" : "Starts when you type";
  }

  // The clock is on the page from now on, ticking twice a second.
  begin() {
    setInterval(() => this.show(), 500);
    this.parts.panel.hidden = false;
    this.show();
  }
}
