// One date format everywhere, in the reader's local time: every <time data-local> the server
// wrote as "3 Dec 2026, 09:30 UTC" is rewritten as "3 Dec 2026, 10:30 CET" (the UTC text stays
// in its title). The time zone is also kept in a cookie, so the server can count days (the
// progress page's streak and week) in the candidate's own calendar.
(function () {
  "use strict";
  const zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
  const kept = document.cookie.split("; ").indexOf("tz=" + zone) !== -1;
  // Written only when it changes: Chrome keeps no page in its back/forward cache whose cookies
  // changed, and the answer page relies on coming back from there as it was left.
  if (!kept && zone && /^[A-Za-z0-9_+\-\/]{1,64}$/.test(zone)) {  // an IANA name: cookie-safe
    document.cookie = "tz=" + zone + "; path=/; max-age=31536000; SameSite=Lax";
  }
  const format = new Intl.DateTimeFormat("en-GB", {
    day: "numeric", month: "numeric", year: "numeric",
    hour: "2-digit", minute: "2-digit", hourCycle: "h23", timeZoneName: "short",
  });

  // The server's month names, whatever the browser's locale data calls them ("Sept").
  const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

  function localText(date) {
    const part = {};
    format.formatToParts(date).forEach(function (p) { part[p.type] = p.value; });
    return Number(part.day) + " " + MONTHS[Number(part.month) - 1] + " " + part.year + ", " +
      part.hour + ":" + part.minute +
      " " + part.timeZoneName;
  }

  function rewrite(root) {
    root.querySelectorAll("time[data-local]").forEach(function (time) {
      const date = new Date(time.getAttribute("datetime"));
      if (isNaN(date.getTime()) || time.dataset.localised) return;
      time.title = time.textContent;
      time.textContent = localText(date);
      time.dataset.localised = "true";
    });
  }

  window.localTime = { text: localText, rewrite: rewrite };
  rewrite(document);
})();
