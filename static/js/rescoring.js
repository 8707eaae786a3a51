// The rescoring page: the progress bar follows the background job until it is done.
(function () {
  "use strict";
  const box = document.getElementById("rescoring");
  if (!box) return;
  const bar = document.getElementById("rescoring-bar");
  const status = document.getElementById("rescoring-status");
  const POLL_MS = 1000;

  async function poll() {
    try {
      const response = await fetch(box.dataset.url, { headers: { Accept: "application/json" } });
      const job = await response.json();
      bar.max = Math.max(job.total, 1);
      bar.value = job.done;
      if (job.status === "done") {
        status.textContent = "Done: " + job.done + " answer" + (job.done === 1 ? "" : "s") +
          " scored again, " + job.changed + " differently.";
        return;
      }
      if (job.status === "failed") {
        status.textContent = "Stopped: " + job.error;
        return;
      }
      status.textContent = job.done + " of " + job.total + " answers scored again…";
    } catch (e) {
      status.textContent = "Cannot reach the server; still trying…";
    }
    setTimeout(poll, POLL_MS);
  }
  if (!/^(Done|Stopped)/.test(status.textContent.trim())) poll();
})();
