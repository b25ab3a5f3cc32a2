// The duty office's alert list: dispatch, close, return for more; live over /ws/events/.
// The feedback each department sent shows in its row as soon as it arrives (and, once
// returned, why). A dispatch carries the form's Idempotency-Key (static/forms.js).
(function () {
  "use strict";
  var root = document.getElementById("office");
  if (!root) return;
  var lastSeq = Number(root.dataset.seq) || 0;
  var rows = document.getElementById("office-rows");
  var msg = document.getElementById("office-msg");
  var live = document.getElementById("live");
  var alerts = new Map();
  var STATE = { sent: "待签收", acknowledged: "已签收", fed_back: "已反馈", overdue: "已超时", closed: "已办结" };
  JSON.parse(document.getElementById("alerts-data").textContent).forEach(function (a) { alerts.set(a.id, a); });

  var api = Duty.api;
  function t(iso) { return iso ? window.DutyLive.fmt.when(iso) : "—"; }
  function cell(tr, text) { var td = document.createElement("td"); td.textContent = text; tr.appendChild(td); return td; }
  function button(label, fn) { var b = document.createElement("button"); b.type = "button"; b.textContent = label; b.onclick = fn; return b; }

  function render() {
    rows.textContent = "";
    Array.from(alerts.values()).filter(function (a) { return a.state !== "closed"; })
      .sort(function (a, b) { return a.id - b.id; }).forEach(function (a) {
        var tr = document.createElement("tr");
        tr.dataset.id = a.id; tr.dataset.state = a.state;
        cell(tr, a.id); cell(tr, a.department_name); cell(tr, a.incident_title); cell(tr, a.duty);
        cell(tr, STATE[a.state] || a.state); cell(tr, t(a.ack_due_at)); cell(tr, t(a.feedback_due_at));
        feedbackCell(tr, a);
        var ops = cell(tr, "");
        ops.className = "ops";
        ops.appendChild(button(W.close, function () { closeAlert(a); }));
        if (a.state === "fed_back") ops.appendChild(button(W.return, function () { returnAlert(a); }));
        rows.appendChild(tr);
      });
  }
  // Closing and returning go through the one confirmation dialog (static/forms.js), which
  // says what follows; a return asks for its reason there (required), a close for an optional note.
  var W = root.dataset;
  function fill(text, a) { return text.replace("{id}", a.id).replace("{dept}", a.department_name || ""); }
  function about(a) { return [(a.department_name || "") + "：" + (a.incident_title || ""), a.duty || ""]; }
  function closeAlert(a) {
    DutyForms.confirm({ title: fill(W.closeTitle, a), lines: about(a).concat([fill(W.closeEffect, a)]),
                        confirm: W.close, field: { label: W.closeNote } })
      .then(function (note) {
        if (note === false) return;
        api("POST", "/api/v1/alerts/" + a.id + "/close/", { reason: note || "" }).then(upsert, show);
      });
  }
  function returnAlert(a) {
    DutyForms.confirm({ title: fill(W.returnTitle, a), lines: about(a).concat([fill(W.returnEffect, a)]),
                        confirm: W.return, danger: false, field: { label: W.returnReason, required: true } })
      .then(function (reason) {
        if (!reason) return;
        api("POST", "/api/v1/alerts/" + a.id + "/return/", { reason: reason }).then(upsert, show);
      });
  }
  function feedbackCell(tr, a) {
    var td = cell(tr, "");
    td.className = "fb";
    (a.feedback || []).forEach(function (f) {
      var p = document.createElement("p");
      p.textContent = f.text;
      var who = document.createElement("span");
      who.className = "who";
      who.textContent = " — " + (f.author_name || "") + " " + t(f.created_at) + (f.round > 1 ? " · " + root.dataset.round.replace("{n}", f.round) : "");
      p.appendChild(who);
      td.appendChild(p);
    });
    if (a.return_reason && a.feedback_round > 1 && a.state !== "fed_back") {
      var why = document.createElement("p");
      why.className = "why";
      why.textContent = root.dataset.returned + a.return_reason;
      td.appendChild(why);
    }
  }
  function show(e) { msg.textContent = e.message; }
  function upsert(a) { alerts.set(a.id, Object.assign({}, alerts.get(a.id), a)); render(); }  // a reply without feedback keeps the row's
  var reads = {};  // apply only the newest read of an alert
  function refresh(id) {
    var n = (reads[id] = (reads[id] || 0) + 1);
    api("GET", "/api/v1/alerts/" + id + "/").then(function (a) { if (reads[id] === n) upsert(a); }, function () {});
  }

  DutyForms.keys(document.getElementById("dispatch"));  // Enter moves on, Ctrl+Enter dispatches
  document.getElementById("dispatch").addEventListener("submit", function (ev) {
    ev.preventDefault();
    var f = ev.target, body = {};
    ["incident", "department", "ack_minutes", "feedback_minutes", "duty"].forEach(function (k) { if (f.elements[k].value) body[k] = f.elements[k].value; });
    if (f.dataset.busy) return;
    f.dataset.busy = "1";
    DutyForms.api("POST", "/api/v1/alerts/", body, DutyForms.key(f))
      .then(function (a) { DutyForms.renew(f); msg.textContent = ""; upsert(a); f.elements.duty.value = ""; },
        function (e) { if (e.status === 422) DutyForms.renew(f); show(e); })
      .then(function () { delete f.dataset.busy; });
  });

  // The one live connection (static/board/live.js): backoff, 4401, resync after a drop.
  window.DutyLive.follow({
    root: root,
    pill: live,
    seq: lastSeq,
    onResync: function () {
      alerts.forEach(function (a) { refresh(a.id); });
      return api("GET", "/api/v1/alerts/?open=1&page_size=200").then(function (page) {
        (page.results || page).forEach(upsert);
      }, function () {});
    },
    onEvent: function (m) {
      if (m.type.indexOf("alert.") === 0 && m.data && m.data.id) refresh(m.data.id);
    },
  });
  render();
})();
