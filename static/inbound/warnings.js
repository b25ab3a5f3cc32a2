// The board's panel of warnings in force: from the snapshot first, then again whenever a
// warning event arrives or the snapshot is reloaded; each warning leaves when it expires.
(function () {
  "use strict";
  var panel = document.getElementById("warning-panel");
  if (!panel) return;
  var list = document.getElementById("warning-list");
  // Times in the one format (12月2日 14:33): DutyLive.fmt (static/board/live.js, loaded first).
  function when(iso) { return window.DutyLive.fmt.when(iso); }
  var rows = [];

  function render() {
    var now = Date.now();
    rows = rows.filter(function (w) { return !w.expires || Date.parse(w.expires) > now; });
    list.textContent = "";
    rows.forEach(function (w) {
      var li = document.createElement("li");
      li.className = "colour-" + (w.colour || "none");
      li.dataset.id = w.id;
      var b = document.createElement("b");
      b.textContent = (w.is_drill ? "【演练】" : "") + (w.headline || (w.event + (w.colour_label || "") + "预警"));
      var small = document.createElement("small");
      small.textContent = (w.area_desc || "") + (w.expires ? " · 至 " + when(w.expires) : "");
      li.appendChild(b);
      li.appendChild(small);
      list.appendChild(li);
    });
    panel.hidden = rows.length === 0;
  }

  function reload() {
    if (!window.Duty) return;
    window.Duty.api("GET", panel.dataset.url).then(function (page) {
      rows = (page.results || []).map(function (w) {
        return { id: w.id, event: w.event, headline: w.headline, colour: w.colour, colour_label: w.colour_label,
                 area_desc: w.area_desc, expires: w.expires, is_drill: w.status !== "Actual" };
      });
      render();
    }).catch(function () { /* the next event or tick tries again */ });
  }

  try {
    rows = (JSON.parse(document.getElementById("board-snapshot").textContent).warnings || []);
  } catch (e) { rows = []; }
  render();
  document.addEventListener("board:changed", function (e) {
    var env = e.detail && e.detail.env;
    if (!env || String(env.type).indexOf("warning.") === 0) reload();
  });
  setInterval(render, 30000);
})();
