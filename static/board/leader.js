// Leaders' view: incident drill-down (timeline, reports, plan matches with reasons,
// activations, alerts and who has not answered) and decisions that call the existing
// APIs: instructions (with the responsible department their supervision case goes
// to), plan activation, approve / reject. Activation and approval first show which
// departments get which tasks (DutyForms.ask); creates carry an Idempotency-Key.
(function () {
  "use strict";
  var root = document.getElementById("board");
  var drawer = document.getElementById("drawer");
  if (!root || !drawer) return;
  var D = window.DutyLive, fmt = D.fmt, api = D.api, el = D.el;
  var $ = function (id) { return document.getElementById(id); };
  var current = null, opener = null;
  var STATE = { sent: "待签收", acknowledged: "已签收待反馈", fed_back: "已反馈", overdue: "已超时", closed: "已办结" };
  var ACT_STATE = { proposed: "待审批", active: "响应中", terminated: "已终止", rejected: "未批准" };
  var GRADE = { I: "I级 特别重大", II: "II级 重大", III: "III级 较大", IV: "IV级 一般" };

  function button(text, cls, data) {
    var b = el("button", cls, text);
    b.type = "button";
    Object.keys(data || {}).forEach(function (k) { b.dataset[k] = data[k]; });
    return b;
  }
  function say(text, bad) {
    var m = $("d-msg");
    m.textContent = text;
    m.classList.toggle("bad", !!bad);
  }
  function empty(list, text) { list.appendChild(el("li", "muted", text)); }

  function openIncident(id, trigger) {
    current = Number(id);
    opener = trigger || document.activeElement;
    drawer.hidden = false;
    document.body.classList.add("drawer-open");
    say("");
    $("d-title").textContent = "加载中…";
    load().then(function () { $("d-instruction-text").focus(); });
  }

  function close() {
    drawer.hidden = true;
    document.body.classList.remove("drawer-open");
    current = null;
    if (opener && opener.focus) opener.focus();
  }

  function load() {
    var id = current;
    var base = "/api/v1/incidents/" + id + "/";
    return Promise.all([
      api("GET", base),
      api("GET", base + "plan-matches/?limit=5").catch(function () { return []; }),
      api("GET", base + "activations/").catch(function () { return []; }),
      api("GET", "/api/v1/alerts/?incident=" + id + "&page_size=200").catch(function () { return { results: [] }; }),
    ]).then(function (r) {
      if (id !== current) return;
      render(r[0], r[1], r[2], r[3].results || r[3]);
    }).catch(function (e) { say(e.message, true); });
  }

  function render(inc, matches, activations, alerts) {
    var labels = window.dutyBoard.live.state.labels;
    $("d-title").textContent = inc.title;
    var tags = $("d-tags");
    tags.textContent = "";
    tags.appendChild(el("span", "grade-badge grade-" + (inc.grade || "none"), GRADE[inc.grade] || "未定级"));
    tags.appendChild(el("span", "tag", labels.status[inc.status] || inc.status));
    tags.appendChild(el("span", "tag", labels.category[inc.category] || inc.category));
    if (inc.is_drill) tags.appendChild(el("span", "tag drill", "演练"));
    var meta = ["接报 " + fmt.when(inc.reported_at)];
    if (inc.location_text) meta.push(inc.location_text);
    var cas = [["死亡", inc.deaths], ["受伤", inc.injuries], ["失联", inc.missing]]
      .filter(function (p) { return p[1]; }).map(function (p) { return p[0] + " " + p[1] + " 人"; });
    if (cas.length) meta.push(cas.join("，"));
    if (inc.next_report_due_at) meta.push("下次报告时限 " + fmt.when(inc.next_report_due_at));
    $("d-meta").textContent = meta.join(" · ");

    var live = new Set(activations.filter(function (a) { return a.state === "proposed" || a.state === "active"; })
      .map(function (a) { return a.plan; }));
    var ml = $("d-matches");
    ml.textContent = "";
    if (!matches.length) empty(ml, "无匹配预案：请关注预案覆盖缺口。");
    matches.forEach(function (m) {
      var planId = m.plan;
      var title = m.title || m.code || ("预案 #" + planId);
      var li = el("li", "match");
      var head = el("div", "row");
      head.appendChild(el("strong", null, title));
      // 首选 only when one plan leads alone with the subtype known; ties and possible plans say so.
      var role = m.preferred ? "首选" : m.tie ? "并列" : m.possible ? "可能适用" : "";
      if (role) head.appendChild(el("span", "tag" + (m.preferred ? " ok" : ""), role));
      head.appendChild(el("span", "tag", (m.level || "") + "级响应 · 匹配度 " + Math.round(m.score)));
      if (!live.has(planId)) head.appendChild(button("启动 " + (m.level || "") + "级响应", m.possible ? "ghost small" : "primary small", { activate: planId, level: m.level }));
      else head.appendChild(el("span", "tag ok", "已启动/待审批"));
      li.appendChild(head);
      var reasons = el("ul", "reasons");
      (m.reasons || []).forEach(function (r) { reasons.appendChild(el("li", null, r)); });
      li.appendChild(reasons);
      ml.appendChild(li);
    });

    var al = $("d-activations");
    al.textContent = "";
    if (!activations.length) empty(al, "尚未启动预案。");
    activations.forEach(function (a) {
      var li = el("li", "activation");
      var head = el("div", "row");
      head.appendChild(el("strong", null, (a.plan_title || a.plan_code) + (a.level ? " · " + a.level + "级响应" : "")));
      head.appendChild(el("span", "tag", ACT_STATE[a.state] || a.state));
      li.appendChild(head);
      if (a.pending) {
        var p = a.pending;
        li.appendChild(el("p", "muted", "待审批：" + (p.action === "change_level" ? "调整为 " + p.level + " 级" : p.action === "terminate" ? "终止响应" : "启动 " + p.level + " 级") + (p.reason ? "（" + p.reason + "）" : "")));
        var row = el("div", "row");
        row.appendChild(button("批准", "primary small", { approve: a.id }));
        row.appendChild(button("不批准", "ghost small", { reject: a.id }));
        li.appendChild(row);
      }
      al.appendChild(li);
    });

    var alist = $("d-alerts");
    alist.textContent = "";
    if (!alerts.length) empty(alist, "尚未向部门下发通知。");
    alerts.forEach(function (a) {
      var li = el("li", "alert-row state-" + a.state);
      li.appendChild(el("strong", null, a.department_name));
      var unanswered = !a.acknowledged_at;
      li.appendChild(el("span", "tag" + (unanswered ? " warn" : " ok"), STATE[a.state] || a.state));
      li.appendChild(el("span", "muted", unanswered
        ? "签收时限 " + fmt.when(a.ack_due_at) + "，尚未答复"
        : (a.acknowledged_by_name || "") + " " + fmt.when(a.acknowledged_at) + " 签收"));
      alist.appendChild(li);
    });

    var rl = $("d-reports");
    rl.textContent = "";
    var KIND = { first: "首报", follow_up: "续报", final: "终报" };
    (inc.reports || []).forEach(function (r) {
      var li = el("li");
      li.appendChild(el("strong", null, (KIND[r.kind] || r.kind) + " · " + fmt.when(r.received_at)));
      li.appendChild(el("span", "muted", " " + (r.reporter_unit || r.reporter_name || "") + " "));
      li.appendChild(el("p", null, r.description || r.title || ""));
      rl.appendChild(li);
    });
    if (!(inc.reports || []).length) empty(rl, "暂无报告。");

    var tl = $("d-timeline");
    tl.textContent = "";
    (inc.timeline || []).slice().reverse().forEach(function (env) {
      var li = el("li");
      li.appendChild(el("time", null, fmt.when(env.at)));
      li.appendChild(el("span", null, (env.data && env.data.summary) || env.type));
      tl.appendChild(li);
    });
  }

  function consequence(params) { return "/api/v1/consequences/?" + new URLSearchParams(params); }
  function confirmed(url, button) {
    return (url ? DutyForms.ask(url) : Promise.resolve(true)).then(function (ok) {
      if (!ok && button) button.disabled = false;
      return ok;
    }, function (err) { if (button) button.disabled = false; say(err.message, true); return false; });
  }

  function decide(kind, activation, button) {
    return confirmed(kind === "approve" ? consequence({ action: "approve", activation: activation }) : null, button)
      .then(function (ok) { return ok ? DutyForms.api("POST", "/api/v1/activations/" + activation + "/" + kind + "/", { note: "" }, DutyForms.key(button)) : null; })
      .then(function (done) {
        if (!done) return;
        say(kind === "approve" ? "已批准。" : "已退回。"); window.dutyBoard.live.refresh(); if (current) load();
      })
      .catch(function (e) { if (button) button.disabled = false; say(e.message, true); });
  }

  document.addEventListener("click", function (e) {
    var t = e.target.closest("button");
    if (!t) return;
    if (t.dataset.open) openIncident(t.dataset.open, t);
    else if (t.dataset.approve) { t.disabled = true; decide("approve", t.dataset.approve, t); }
    else if (t.dataset.reject) { t.disabled = true; decide("reject", t.dataset.reject, t); }
    else if (t.dataset.activate && current) {
      t.disabled = true;
      var incident = current;
      confirmed(consequence({ action: "activate", incident: incident, plan: t.dataset.activate, level: t.dataset.level }), t)
        .then(function (ok) {
          if (!ok) return null;
          return DutyForms.api("POST", "/api/v1/incidents/" + incident + "/activations/", { plan: Number(t.dataset.activate), level: t.dataset.level }, DutyForms.key(t))
            .then(function (a) { say(a.state === "active" ? "预案已启动，任务已下发各单位。" : "已提请启动，待审批。"); load(); });
        })
        .catch(function (err) { t.disabled = false; say(err.message, true); });
    }
  });
  document.addEventListener("board:open", function (e) { openIncident(e.detail.id); });
  $("d-close").addEventListener("click", close);
  document.addEventListener("keydown", function (e) { if (e.key === "Escape" && !drawer.hidden) close(); });

  DutyForms.keys($("d-instruction"));  // Ctrl+Enter publishes, as every form submits
  $("d-instruction").addEventListener("submit", function (e) {
    e.preventDefault();
    var text = $("d-instruction-text").value.trim();
    if (!text || !current) return;
    var dept = $("d-instruction-dept");
    if (dept && !dept.value) { say("请选择责任单位：批示转为督办事项后由其办理。", true); dept.focus(); return; }
    var btn = e.target.querySelector("button");
    if (btn.disabled) return;
    btn.disabled = true;
    var body = { text: text, departments: dept && dept.value ? [Number(dept.value)] : [] };
    DutyForms.api("POST", "/api/v1/incidents/" + current + "/instructions/", body, DutyForms.key(e.target))
      .then(function () {
        DutyForms.renew(e.target);
        $("d-instruction-text").value = "";
        if (dept) dept.value = "";
        say("批示已发布，已进入督办。");
        return load();
      })
      .catch(function (err) { say(err.message, true); })
      .then(function () { btn.disabled = false; });
  });

  // Keep an open drill-down current as its incident changes.
  document.addEventListener("board:changed", function (e) {
    var env = e.detail.env;
    if (current && env && env.data && (env.data.incident === current || env.data.id === current)) load();
  });
})();
