// Department console: open alerts with live countdowns; sign-for and feedback in one or two taps.
// Sent feedback shows on the card (and why the office returned it, if it did); a sent
// box clears and its button resets; what is typed is kept per alert across a reload
// (DutyForms.draft) and each feedback carries its own Idempotency-Key.
// Live updates come from /ws/events/ (session cookie); after a drop it reconnects with
// ?after=<last seq seen>, so nothing that happened meanwhile is missed.
(function () {
  "use strict";
  var root = document.getElementById("console");
  if (!root) return;
  var department = Number(root.dataset.department) || null;
  var lastSeq = Number(root.dataset.seq) || 0;
  var list = document.getElementById("alert-list");
  var empty = document.getElementById("empty");
  var live = document.getElementById("live");
  var tpl = document.getElementById("alert-card");
  var alerts = new Map();
  var fbKeys = {}, sentOk = {};  // per alert: the key of the feedback being sent, "just sent"
  var STATE = { sent: "待签收", acknowledged: "已签收待反馈", fed_back: "已反馈", overdue: "已超时", closed: "已办结" };
  var SOURCE = { plan: "预案启动", manual: "值班室下发", instruction: "领导批示" };
  var api = window.DutyLive.api;
  // Times in the configured zone (Asia/Shanghai), whatever the phone's own zone.
  var fmtTime = window.DutyLive.fmt.when, fmtCountdown = window.DutyLive.fmt.countdown;

  JSON.parse(document.getElementById("alerts-data").textContent).forEach(function (a) { alerts.set(a.id, a); });

  function render() {
    var items = Array.from(alerts.values()).filter(function (a) { return a.state !== "closed"; });
    items.sort(function (a, b) { return due(a) - due(b); });
    // Keep what someone is typing when a live update redraws the list.
    var drafts = {}, focused = document.activeElement && document.activeElement.closest && document.activeElement.closest(".alert-card");
    list.querySelectorAll(".alert-card").forEach(function (li) {
      var ta = li.querySelector("textarea");
      if (ta && ta.value) drafts[li.dataset.id] = ta.value;
    });
    var focusId = focused ? focused.dataset.id : null;
    list.textContent = "";
    items.forEach(function (a) {
      var li = card(a);
      var ta = li.querySelector("textarea");
      if (drafts[a.id]) ta.value = drafts[a.id];
      list.appendChild(li);
      if (focusId === String(a.id) && !ta.closest("form").hidden) ta.focus();
    });
    empty.hidden = items.length > 0;
    tick();
  }

  function due(a) {
    return new Date(a.acknowledged_at ? a.feedback_due_at : a.ack_due_at).getTime();
  }

  function card(a) {
    var li = tpl.content.firstElementChild.cloneNode(true);
    li.dataset.id = a.id;
    li.dataset.state = a.state;
    var badge = li.querySelector(".badge");
    badge.textContent = STATE[a.state] || a.state;
    if (a.state === "overdue") badge.classList.add("overdue");
    li.querySelector(".incident").textContent = a.incident_title || "事件 #" + a.incident;
    li.querySelector(".duty").textContent = a.duty;
    li.querySelector(".meta").textContent =
      (SOURCE[a.source] || a.source) + " · 签收时限 " + fmtTime(a.ack_due_at) + " · 反馈时限 " + fmtTime(a.feedback_due_at) +
      (a.acknowledged_at ? " · " + (a.acknowledged_by_name || "") + " 于 " + fmtTime(a.acknowledged_at) + " 签收" : "");
    var ack = li.querySelector(".ack"), form = li.querySelector(".fb"), msg = li.querySelector(".msg");
    ack.hidden = !!a.acknowledged_at;
    form.hidden = !a.acknowledged_at;
    if (a.return_reason && a.feedback_round > 1 && a.state !== "fed_back") {
      li.querySelector(".returned").hidden = false;
      li.querySelector(".returned .why").textContent = a.return_reason;
    }
    var sent = a.feedback || [];
    if (sent.length) {
      li.querySelector(".sent").hidden = false;
      var ol = li.querySelector(".fb-list");
      sent.forEach(function (f) {
        var item = document.createElement("li");
        item.textContent = f.text;
        var who = document.createElement("span");
        who.className = "who";
        who.textContent = (f.author_name || "") + " " + fmtTime(f.created_at) + (f.round > 1 ? " · 第" + f.round + "轮" : "");
        item.appendChild(who);
        ol.appendChild(item);
      });
    }
    li.querySelector(".sent-ok").hidden = !sentOk[a.id];
    var draftName = "feedback:alert:" + a.id;
    if (!form.hidden) DutyForms.draft(form, draftName, { quiet: true });
    DutyForms.keys(form, function () { form.requestSubmit(); });
    ack.addEventListener("click", function () {
      ack.disabled = true;
      api("POST", "/api/v1/alerts/" + a.id + "/acknowledge/").then(upsert, function (e) {
        ack.disabled = false;
        msg.textContent = e.message;
      });
    });
    form.addEventListener("submit", function (ev) {
      ev.preventDefault();
      var text = form.elements.text.value.trim();
      if (!text) return;
      var button = form.querySelector("button");
      if (button.disabled) return;
      button.disabled = true;
      msg.textContent = "";
      fbKeys[a.id] = fbKeys[a.id] || DutyForms.newKey();
      DutyForms.api("POST", "/api/v1/alerts/" + a.id + "/feedback/", { text: text }, fbKeys[a.id]).then(function () {
        delete fbKeys[a.id];  // the next feedback is a new one
        DutyForms.clearDraft(draftName);
        form.elements.text.value = "";
        button.disabled = false;
        sentOk[a.id] = true;
        return refresh(a.id);
      }).catch(function (e) {
        if (e.status === 422) delete fbKeys[a.id];
        button.disabled = false;
        msg.textContent = e.message;
      });
    });
    return li;
  }

  function upsert(a) {
    if (department && a.department !== department) return;
    alerts.set(a.id, Object.assign({}, alerts.get(a.id), a));  // a reply without feedback keeps the card's
    render();
  }

  // Only the newest read of an alert is applied: an older response finishing late must
  // not put back a state the alert has already left.
  var reads = {};
  function refresh(id) {
    var n = (reads[id] = (reads[id] || 0) + 1);
    return api("GET", "/api/v1/alerts/" + id + "/").then(function (a) {
      if (reads[id] === n) upsert(a);
    }, function () {});
  }

  var frozenAt = null;
  function tick() {
    // Disconnected: countdowns stop at the last update instead of pretending.
    var stale = typeof follow !== "undefined" && follow.stale();
    if (!stale) frozenAt = null;
    else if (frozenAt === null) frozenAt = Date.now();
    var now = stale ? frozenAt : Date.now();
    list.querySelectorAll(".alert-card").forEach(function (li) {
      var a = alerts.get(Number(li.dataset.id));
      if (!a) return;
      var el = li.querySelector(".countdown");
      var left = due(a) - now;
      var what = a.acknowledged_at ? "反馈" : "签收";
      if (a.state === "fed_back") {
        el.textContent = "待值班室审核";
        el.classList.remove("late");
      } else {
        el.textContent = what + fmtCountdown(left);
        el.classList.toggle("late", left < 0);
      }
    });
  }
  setInterval(tick, 1000);

  // The one live connection (static/board/live.js): backoff, 4401, resync after a drop.
  function reloadAll() {
    return api("GET", "/api/v1/alerts/?open=1&page_size=200" + (department ? "&department=" + department : "")).then(function (page) {
      (page.results || page).forEach(function (a) { if (a.state !== "closed") upsert(a); });
    }, function () {});
  }
  var follow = window.DutyLive.follow({
    root: root,
    pill: live,
    seq: lastSeq,
    onStatus: function () { tick(); },  // stale from this moment: the countdowns stop here
    onResync: function () { alerts.forEach(function (a) { refresh(a.id); }); return reloadAll(); },
    onEvent: function (msg) {
      if (msg.type.indexOf("alert.") !== 0 || !msg.data || !msg.data.id) return;
      if (department && msg.data.department !== department) return;
      if (msg.type === "alert.closed") {
        alerts.delete(msg.data.id);
        render();
      } else {
        refresh(msg.data.id);
      }
    },
  });

  render();
})();
