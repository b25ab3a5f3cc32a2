// Officer's console: keyboard-first intake (POST /api/v1/reports/), open incidents to
// push along (POST incidents/<id>/transition/), the clocks due soonest. Live via DutyLive.
// The intake form works like every form (static/forms.js): Enter moves to the next
// field, Ctrl+Enter submits, one Idempotency-Key per registration, a draft kept across a
// reload. A flagged duplicate offers 合并到 #N, and merging or closing first shows what
// it will do (DutyForms.ask).
(function () {
  "use strict";
  var root = document.getElementById("desk");
  if (!root) return;
  var D = window.DutyLive, fmt = D.fmt, api = D.api, el = D.el;
  var $ = function (id) { return document.getElementById(id); };
  var GRADE = { I: "I级", II: "II级", III: "III级", IV: "IV级" };
  var NEXT = { received: ["verifying", "核实"], verifying: ["responding", "处置"], responding: ["stabilised", "稳控"], stabilised: ["closed", "办结"] };
  var AMBER_MS = 10 * 60 * 1000;

  // --- intake ---------------------------------------------------------------------
  var form = $("intake"), msg = $("intake-msg");
  function say(text, bad) { msg.textContent = text; msg.classList.toggle("bad", !!bad); }
  function incidentLink(id, text) { var a = el("a", "", text); a.href = "/incidents/" + id + "/"; return a; }

  function payload() {
    var f = new FormData(form), out = { kind: "first" };
    ["title", "category", "grade", "channel", "location_text", "description", "reporter_unit", "reporter_phone"].forEach(function (k) {
      var v = (f.get(k) || "").toString().trim();
      if (v) out[k] = v;
    });
    ["deaths", "injuries", "missing"].forEach(function (k) {
      var v = (f.get(k) || "").toString().trim();
      if (v !== "") out[k] = Number(v);
    });
    out.is_drill = !!f.get("is_drill");
    return out;
  }

  // What the words suggest, confirmed with one key (static/incidents/confirm.js).
  var SUBTYPES = JSON.parse(($("subtypes-data") || { textContent: "[]" }).textContent) || [];

  var draft = DutyForms.draft(form, "console-intake");
  function submit() {
    var data = payload();
    if (!data.title) { say("请填写标题。", true); $("f-title").focus(); return; }
    if (!data.category) { say("请选择事件分类。", true); form.querySelector("input[name=category]").focus(); return; }
    var btn = $("f-submit");
    if (btn.disabled) return;  // one registration at a time; the key covers a click that gets through
    btn.disabled = true;
    say("正在登记…");
    DutyForms.api("POST", "/api/v1/reports/", data, DutyForms.key(form))
      .then(function (r) {
        DutyForms.renew(form);
        draft.clear();
        form.reset();
        say("已登记首报，");
        msg.append(incidentLink(r.incident, "事件 #" + r.incident));
        var dups = r.possible_duplicates || [];
        if (dups.length) {
          flagged[r.incident] = dups;
          msg.append("（疑似重复：");
          dups.forEach(function (id, n) { msg.append(n ? "、" : "", incidentLink(id, "#" + id)); });
          msg.append("）");
          render(live.state);
        }
        var u = r.understanding;
        if (u && u.subtype_source !== "reported" && window.IncidentConfirm) {
          window.IncidentConfirm.offer($("confirm"), {
            incident: r.incident, understanding: u, category: data.category, subtypes: SUBTYPES,
            post: function (url, body) { return api("POST", url, body); },
            done: function () { $("f-title").focus(); },
          });
        } else $("f-title").focus();
      })
      .catch(function (e) { if (e.status === 422) DutyForms.renew(form); say(e.message, true); })
      .then(function () { btn.disabled = false; });
  }

  form.addEventListener("submit", function (e) { e.preventDefault(); submit(); });
  DutyForms.keys(form, submit);

  // Incidents flagged at intake as possibly the same as open ones: {id: [ids]}, from the
  // snapshot, from incident.created events, and from this console's own registrations.
  var flagged = {};
  function duplicatesOf(st, i) {
    return (i.possible_duplicates || flagged[i.id] || []).filter(function (d) { return d !== i.id && st.incidents.has(d); });
  }

  // --- open incidents and clocks --------------------------------------------------
  function render(st) {
    var list = $("open-list");
    var items = Array.from(st.incidents.values()).sort(function (a, b) { return Date.parse(b.reported_at) - Date.parse(a.reported_at); });
    list.textContent = "";
    items.slice(0, 60).forEach(function (i) {
      var li = el("li", "open-item grade-" + (i.grade || "none"));
      var head = el("div", "oi-head");
      head.appendChild(el("span", "g", GRADE[i.grade] || "未定级"));
      var a = el("a", "oi-title", i.title);
      a.href = "/incidents/" + i.id + "/";
      head.appendChild(a);
      if (i.is_drill) head.appendChild(el("span", "tag", "演练"));
      li.appendChild(head);
      var meta = el("div", "oi-meta");
      meta.appendChild(el("span", "st", st.labels.status[i.status] || i.status));
      var since = el("span", "since");
      since.dataset.since = i.reported_at;
      meta.appendChild(since);
      if (i.next_report_due_at) {
        var due = el("span", "due");
        due.dataset.due = i.next_report_due_at;
        meta.appendChild(el("span", "muted", "下次报告"));
        meta.appendChild(due);
      }
      var next = NEXT[i.status];
      if (next) {
        var b = el("button", "push", "转" + next[1]);
        b.type = "button";
        b.dataset.incident = i.id;
        b.dataset.to = next[0];
        b.setAttribute("aria-label", "将“" + i.title + "”转为" + (st.labels.status[next[0]] || next[1]));
        meta.appendChild(b);
      }
      var fu = el("a", "follow", "续报");
      fu.href = "/incidents/intake/?incident=" + i.id + "&kind=follow_up";
      meta.appendChild(fu);
      li.appendChild(meta);
      var dups = duplicatesOf(st, i);
      if (dups.length) {
        var dl = el("div", "oi-dups");
        dl.appendChild(el("span", "muted", "疑似重复："));
        dups.forEach(function (d) {
          var m = el("button", "merge", "合并到 #" + d);
          m.type = "button";
          m.dataset.incident = i.id;
          m.dataset.into = d;
          m.title = (st.incidents.get(d) || {}).title || "";
          dl.appendChild(m);
        });
        li.appendChild(dl);
      }
      list.appendChild(li);
    });
    $("open-count").textContent = items.length + " 起";
    $("open-empty").hidden = items.length > 0;

    var clocks = [];
    st.incidents.forEach(function (i) {
      if (i.next_report_due_at) clocks.push({ due: i.next_report_due_at, title: i.title, kind: "报告", href: "/incidents/" + i.id + "/" });
    });
    st.alerts.forEach(function (a) {
      clocks.push({ due: a.ack_due_at, title: a.department_name + " · " + a.incident_title, kind: "签收", href: "/alerts/" });
    });
    clocks.sort(function (a, b) { return Date.parse(a.due) - Date.parse(b.due); });
    var cl = $("clock-list");
    cl.textContent = "";
    clocks.slice(0, 12).forEach(function (c) {
      var li = el("li", "clock");
      li.appendChild(el("span", "k", c.kind));
      var a = el("a", "t", c.title);
      a.href = c.href;
      li.appendChild(a);
      var d = el("span", "cd");
      d.dataset.due = c.due;
      li.appendChild(d);
      cl.appendChild(li);
    });
    $("clocks-empty").hidden = clocks.length > 0;
    tick(live.now());
  }

  function tick(now) {
    if (live.stale()) now = live.lastLiveAt;  // disconnected: stop where the data is from
    root.querySelectorAll("[data-since]").forEach(function (e) { e.textContent = "接报 " + fmt.ago(now - Date.parse(e.dataset.since)) + "前"; });
    root.querySelectorAll("[data-due]").forEach(function (e) {
      var left = Date.parse(e.dataset.due) - now;
      e.textContent = fmt.countdown(left);
      e.classList.toggle("late", left < 0);
      e.classList.toggle("soon", left >= 0 && left <= AMBER_MS);
    });
  }

  function consequence(params) { return "/api/v1/consequences/?" + new URLSearchParams(params); }
  document.addEventListener("click", function (e) {
    var m = e.target.closest("button.merge");
    if (m) {
      m.disabled = true;
      DutyForms.ask(consequence({ action: "merge", incident: m.dataset.incident, into: m.dataset.into }))
        .then(function (ok) {
          if (!ok) { m.disabled = false; return null; }
          return DutyForms.api("POST", "/api/v1/incidents/" + m.dataset.incident + "/merge/",
            { into: Number(m.dataset.into), reason: "值班台：疑似重复" }, DutyForms.key(m))
            .then(function () { say("已将 #" + m.dataset.incident + " 合并到 #" + m.dataset.into + "。"); live.refresh(); });
        })
        .catch(function (err) { m.disabled = false; say(err.message, true); });
      return;
    }
    var b = e.target.closest("button.push");
    if (!b) return;
    b.disabled = true;
    var ask = b.dataset.to === "closed"
      ? DutyForms.ask(consequence({ action: "close", incident: b.dataset.incident }))
      : Promise.resolve(true);
    ask.then(function (ok) {
      if (!ok) { b.disabled = false; return null; }
      return api("POST", "/api/v1/incidents/" + b.dataset.incident + "/transition/", { to: b.dataset.to });
    }).catch(function (err) { b.disabled = false; alert(err.message); });
  });

  var STATUS_TEXT = { live: "实时", reconnecting: "重连中", connecting: "连接中", unauthorised: "登录已失效" };
  var live = new D.Live({
    initial: JSON.parse($("board-snapshot").textContent),
    snapshotUrl: root.dataset.snapshotUrl,
    eventsUrl: root.dataset.eventsUrl,
    wsPath: root.dataset.wsPath,
    onChange: function (st, env) {
      if (env && env.type === "incident.created" && env.data && (env.data.possible_duplicates || []).length) {
        flagged[env.data.id] = env.data.possible_duplicates;
      }
      render(st);
      if (env) document.dispatchEvent(new CustomEvent("desk:event", { detail: env }));
    },
    onTick: tick,
    staleRoot: root,
    onStatus: function (s) { var p = $("live"); p.dataset.state = s === "live" ? "open" : "closed"; p.textContent = STATUS_TEXT[s] || s; },
  });
  live.start();
})();
