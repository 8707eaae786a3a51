import assert from "node:assert/strict";
import { test } from "node:test";

import { Stopwatch, clockFace, timeAlert } from "../../static/js/answer/timer.js";

function fakeClock() {
  const clock = { ms: 1000, now: () => clock.ms };
  return clock;
}

test("the stopwatch counts only while it runs, from the time already spent", () => {
  const clock = fakeClock();
  const watch = new Stopwatch(30, clock.now);
  clock.ms += 60000; // the page open, the candidate reading: not counted
  assert.equal(watch.seconds(), 30);
  assert.equal(watch.running, false);
  watch.start();
  clock.ms += 10500;
  assert.equal(watch.seconds(), 40);
  watch.pause();
  clock.ms += 120000;
  assert.equal(watch.seconds(), 40); // paused
  watch.start();
  clock.ms += 600; // the half second before the pause counts too
  assert.equal(watch.seconds(), 41);
  watch.start(); // starting twice changes nothing
  assert.equal(watch.seconds(), 41);
});

test("with a limit the face shows the time left, a warning in the last minute, then over", () => {
  assert.deepEqual(clockFace(0, 600), { text: "10:00 left", level: "" });
  assert.deepEqual(clockFace(539, 600), { text: "1:01 left", level: "" });
  assert.deepEqual(clockFace(540, 600), { text: "1:00 left", level: "warn" });
  assert.deepEqual(clockFace(600, 600), { text: "Time is up (0:00 over)", level: "over" });
  assert.deepEqual(clockFace(675, 600), { text: "Time is up (1:15 over)", level: "over" });
});

test("without a limit the face shows the time spent", () => {
  assert.deepEqual(clockFace(0, 0), { text: "0:00", level: "" });
  assert.deepEqual(clockFace(3725, 0), { text: "62:05", level: "" });
});

test("screen readers hear the last minute and the end, once each, even when ticks skip", () => {
  assert.equal(timeAlert(538, 539, 600), "");
  assert.equal(timeAlert(539, 540, 600), "One minute left.");
  assert.equal(timeAlert(540, 541, 600), "");
  assert.equal(timeAlert(590, 605, 600), "Time is up. You can still finish and submit.");
  assert.equal(timeAlert(605, 606, 600), "");
  assert.equal(timeAlert(10, 11, 0), "");
  assert.equal(timeAlert(0, 30, 45), ""); // a limit under a minute has no "one minute left"
});
