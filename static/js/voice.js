// "Answer aloud": record from the microphone with a level meter, post the recording, wait for
// the server to transcribe it, and put the words into the answer box (as if typed, so autosave,
// the word count and the timer react), with the transcription's id for the submitted answer.
(() => {
  "use strict";
  const panel = document.getElementById("voice");
  if (!panel || !navigator.mediaDevices || !navigator.mediaDevices.getUserMedia || !window.MediaRecorder) {
    return; // the panel stays hidden: this browser cannot record
  }
  const form = panel.closest("form");
  const box = form && form.querySelector("textarea[name='answer_text']");
  const csrfMeta = document.querySelector('meta[name="csrf-token"]');
  if (!form || !box || !csrfMeta) return;

  const startButton = document.getElementById("voice-start");
  const stopButton = document.getElementById("voice-stop");
  const meter = document.getElementById("voice-level");
  const clock = document.getElementById("voice-clock");
  const keep = document.getElementById("voice-keep");
  const status = document.getElementById("voice-status");
  const uploadUrl = panel.dataset.uploadUrl;
  const maxSeconds = Number(panel.dataset.maxSeconds) || 300;
  const maxBytes = Number(panel.dataset.maxBytes) || 10 * 1024 * 1024;
  const POLL_MS = 500;
  const GIVE_UP_MS = 5 * 60 * 1000;

  let recording = null; // {recorder, stream, audioContext, chunks, startedAt, ticker, frame}

  panel.hidden = false;

  function say(message, isError = false) {
    status.textContent = message;
    status.classList.toggle("error", isError);
  }

  function minutes(seconds) {
    const whole = Math.floor(seconds);
    return `${Math.floor(whole / 60)}:${String(whole % 60).padStart(2, "0")}`;
  }

  function preferredType() {
    const types = ["audio/webm;codecs=opus", "audio/webm", "audio/ogg;codecs=opus", "audio/mp4"];
    return types.find((type) => MediaRecorder.isTypeSupported(type)) || "";
  }

  function watchLevel(stream) {
    // The meter shows the microphone's loudness (RMS of the waveform), so a candidate sees at
    // once whether they are heard.
    const AudioContextClass = window.AudioContext || window.webkitAudioContext;
    if (!AudioContextClass) return null;
    const audioContext = new AudioContextClass();
    const analyser = audioContext.createAnalyser();
    analyser.fftSize = 1024;
    audioContext.createMediaStreamSource(stream).connect(analyser);
    const samples = new Float32Array(analyser.fftSize);
    const draw = () => {
      if (!recording) return;
      analyser.getFloatTimeDomainData(samples);
      let sum = 0;
      for (const sample of samples) sum += sample * sample;
      meter.value = Math.min(1, Math.sqrt(sum / samples.length) * 4);
      recording.frame = requestAnimationFrame(draw);
    };
    return { audioContext, draw };
  }

  async function start() {
    say("");
    let stream;
    try {
      stream = await navigator.mediaDevices.getUserMedia({ audio: true });
    } catch (error) {
      say(`The microphone is not available (${error.name}): allow this page to use it, or type your answer.`, true);
      return;
    }
    const type = preferredType();
    const recorder = type ? new MediaRecorder(stream, { mimeType: type }) : new MediaRecorder(stream);
    const level = watchLevel(stream);
    recording = { recorder, stream, audioContext: level && level.audioContext, chunks: [], startedAt: Date.now() };
    recorder.addEventListener("dataavailable", (event) => {
      if (event.data && event.data.size) recording.chunks.push(event.data);
    });
    recorder.addEventListener("stop", () => finish(recorder.mimeType || type));
    recorder.start(1000);
    if (level) level.draw();
    recording.ticker = setInterval(() => {
      const seconds = (Date.now() - recording.startedAt) / 1000;
      clock.textContent = `${minutes(seconds)} / ${minutes(maxSeconds)}`;
      if (seconds >= maxSeconds) {
        say(`Stopped at the ${minutes(maxSeconds)} limit.`);
        stop();
      }
    }, 250);
    panel.classList.add("recording");
    startButton.disabled = true;
    stopButton.disabled = false;
    stopButton.focus();
    say("Recording… press Stop when you have finished.");
  }

  function stop() {
    if (!recording || recording.recorder.state === "inactive") return;
    clearInterval(recording.ticker);
    cancelAnimationFrame(recording.frame);
    recording.recorder.stop(); // its "stop" event posts the recording
    for (const track of recording.stream.getTracks()) track.stop();
    if (recording.audioContext) recording.audioContext.close();
    meter.value = 0;
    panel.classList.remove("recording");
    stopButton.disabled = true;
  }

  async function finish(type) {
    const blob = new Blob(recording.chunks, { type: type || "audio/webm" });
    recording = null;
    if (!blob.size) {
      say("Nothing was recorded. Check the microphone and try again.", true);
      startButton.disabled = false;
      return;
    }
    if (blob.size > maxBytes) {
      say("That recording is too large to send. Record a shorter answer.", true);
      startButton.disabled = false;
      return;
    }
    say("Transcribing on the server…");
    try {
      const statusUrl = await upload(blob);
      const result = await waitForTranscript(statusUrl);
      if (result.status === "done") {
        useTranscript(result);
        say("Transcribed: your words are in the answer box. Correct anything misheard, then submit.");
      } else {
        say(`The recording could not be transcribed: ${result.error || "unknown reason"}.`, true);
      }
    } catch (error) {
      say(error.message, true);
    } finally {
      startButton.disabled = false;
    }
  }

  async function upload(blob) {
    const body = new FormData();
    const extension = (blob.type.split(";")[0].split("/")[1] || "webm").replace("x-", "");
    body.append("audio", blob, `answer.${extension}`);
    if (keep.checked) body.append("keep_audio", "1");
    let response;
    try {
      response = await fetch(uploadUrl, {
        method: "POST",
        body,
        headers: { "X-CSRFToken": csrfMeta.content, Accept: "application/json" },
        credentials: "same-origin",
      });
    } catch (_error) {
      throw new Error("The recording could not be sent (is the network down?). Try again.");
    }
    const reply = await response.json().catch(() => ({}));
    if (!response.ok) {
      if (reply.error) throw new Error(`Not sent: ${reply.error}`);
      if (response.status === 413) throw new Error("Not sent: the recording is over the size limit.");
      throw new Error(`Not sent: the server answered ${response.status}. Reload the page and try again.`);
    }
    if (!reply.status_url) {
      // Sent to the log-in page instead: the session ended.
      throw new Error("Not sent: you seem to be logged out. Log in again in another tab, then record again.");
    }
    return reply.status_url;
  }

  async function waitForTranscript(statusUrl) {
    const deadline = Date.now() + GIVE_UP_MS;
    while (Date.now() < deadline) {
      // A dropped connection is tried again; the transcription goes on on the server.
      const response = await fetch(statusUrl, {
        headers: { Accept: "application/json" },
        credentials: "same-origin",
      }).catch(() => null);
      if (response && response.status === 404) throw new Error("That recording is no longer on the server. Record again.");
      const reply = response && response.ok ? await response.json().catch(() => null) : null;
      if (reply && reply.status && reply.status !== "pending") return reply;
      await new Promise((resolve) => setTimeout(resolve, POLL_MS));
    }
    throw new Error("Transcribing is taking too long; the server may be busy. Try again later.");
  }

  function useTranscript(result) {
    // Typed text is never lost: the transcript goes after it.
    const before = box.value.trim();
    box.value = before ? `${box.value.replace(/\s+$/, "")}\n\n${result.transcript}` : result.transcript;
    box.dispatchEvent(new Event("input", { bubbles: true }));
    let field = form.querySelector("input[name='transcription_id']");
    if (!field) {
      field = document.createElement("input");
      field.type = "hidden";
      field.name = "transcription_id";
      form.append(field);
    }
    field.value = String(result.id);
  }

  startButton.addEventListener("click", start);
  stopButton.addEventListener("click", stop);
})();
