// A bank import running in the background: the bar follows it until it is applied or refused.
(function () {
  "use strict";
  const box = document.getElementById("import-outcome");
  if (!box || box.dataset.status !== "running") return;
  const bar = document.getElementById("import-bar");
  const status = document.getElementById("import-status");
  const POLL_MS = 1000;

  async function poll() {
    try {
      const response = await fetch(box.dataset.url, { headers: { Accept: "application/json" } });
      const job = await response.json();
      if (job.total) {
        bar.max = job.total;
        bar.value = job.done;
      }
      if (job.status === "applied") {
        bar.value = bar.max;
        status.textContent = job.message;
        box.dataset.status = job.status;
        return;
      }
      if (job.status === "failed") {
        status.textContent = "Nothing was imported. " + job.message;
        box.dataset.status = job.status;
        return;
      }
      status.textContent = job.total
        ? "Importing: " + job.done + " of " + job.total + " questions…"
        : "Importing…";
    } catch (e) {
      status.textContent = "Cannot reach the server; still trying…";
    }
    setTimeout(poll, POLL_MS);
  }
  poll();
})();
