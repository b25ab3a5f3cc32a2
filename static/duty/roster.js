// 值班表 page. No inline script (CSP script-src 'self'): the room and the event
// stream position the page was rendered at come in data- attributes of #roster-page.
(function () {
  "use strict";

  // Changing the duty room reloads the page for that room (the <noscript>
  // button does the same without JavaScript).
  var select = document.getElementById("dept");
  if (select) {
    select.addEventListener("change", function () { select.form.submit(); });
  }

  // Live: when this room's roster, check-ins or absences change (or a shift
  // starts), re-render the on-duty panel and the warnings from the server.
  var page = document.getElementById("roster-page");
  if (!page || !("WebSocket" in window)) { return; }
  var room = Number(page.dataset.department);
  var lastSeq = Number(page.dataset.seq) || 0;
  var types = ["shift.changed", "duty.checked_in", "absence.recorded", "swap.approved", "handover.signed"];
  var pending = null;

  function refresh() {
    fetch(location.href, { credentials: "same-origin" }).then(function (r) { return r.text(); }).then(function (html) {
      var doc = new DOMParser().parseFromString(html, "text/html");
      ["now-card", "cov-card"].forEach(function (id) {
        var fresh = doc.getElementById(id), old = document.getElementById(id);
        if (fresh && old) { old.innerHTML = fresh.innerHTML; }
      });
    });
  }

  function refreshSoon() {
    // A burst of events (a replay after a reconnect, a generated roster) is one refresh.
    if (pending === null) {
      pending = setTimeout(function () { pending = null; refresh(); }, 200);
    }
  }

  // The one live connection (static/board/live.js): ?after= replays what happened since
  // the page was rendered (or since the last event seen before a drop), with backoff,
  // 4401 handling, and a full re-render after a drop.
  window.DutyLive.follow({
    seq: lastSeq,
    onStatus: function (s) { page.dataset.live = s === "live" ? "open" : "closed"; },
    onResync: refreshSoon,
    onEvent: function (e) {
      if (types.indexOf(e.type) >= 0 && e.data && e.data.duty_room === room) { refreshSoon(); }
    },
  });
})();
