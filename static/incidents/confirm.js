/* Right after intake: what the words suggest, confirmed with one key.
   Enter confirms the subtype (or the one picked in the list), G the grade, Esc skips.
   IncidentConfirm.offer(box, {incident, understanding, category, subtypes, post, done})
   post(url, body) -> Promise of the incident (rejects with an Error); done() on leaving. */
(function () {
  "use strict";
  var SOURCE = { inferred: "系统推断", reported: "报告填写", confirmed: "值班员确认" };
  var GRADE = { I: "I级 特别重大", II: "II级 重大", III: "III级 较大", IV: "IV级 一般" };

  function make(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text != null) e.textContent = text;
    return e;
  }
  function pct(x) { return Math.round((x || 0) * 100) + "%"; }

  function offer(box, o) {
    var u = o.understanding || {}, s = u.subtype_suggestion || {}, g = u.grade_suggestion || {};
    var subtypes = o.subtypes || [];
    var nameOf = function (code) { var t = subtypes.find(function (x) { return x.code === code; }); return t ? t.name : code; };
    box.textContent = "";
    box.className = "confirm";

    var line = make("p");
    if (u.subtype && u.subtype_source !== "inferred") {
      line.appendChild(make("span", "sug", "类型：" + nameOf(u.subtype) + "（" + (SOURCE[u.subtype_source] || "已填写") + "）"));
    } else if (s.code) {
      line.appendChild(make("span", "sug", "类型：" + (s.name || nameOf(s.code)) + (u.subtype ? "（系统推断，已采用）" : "（建议，未采用）")));
      line.appendChild(make("span", "why", " 置信度 " + pct(s.confidence) + "，依据：" + (s.words || []).join("、")));
    } else {
      line.appendChild(make("span", "sug", "文字中没有明确的类型依据，请选择类型"));
    }
    if (s.other_category) line.appendChild(make("span", "why", "（描述更像" + nameOf(s.other_category) + "，分类是否选错？）"));
    box.appendChild(line);

    var row = make("div", "confirm-row");
    var yes = make("button", null, "确认类型 ");
    yes.type = "button";
    yes.appendChild(make("kbd", null, "Enter"));
    var pick = make("select");
    pick.setAttribute("aria-label", "改选事件类型");
    subtypes.slice().sort(function (a, b) { return (a.category === o.category ? 0 : 1) - (b.category === o.category ? 0 : 1); })
      .forEach(function (t) { var op = make("option", null, t.name); op.value = t.code; pick.appendChild(op); });
    pick.value = u.subtype || s.code || "";
    var other = make("button", null, "改为所选");
    other.type = "button";
    row.append(yes, pick, other);
    box.appendChild(row);

    var gline = make("p", null, g.grade ? "等级建议：" + (GRADE[g.grade] || g.grade) + "。" + (g.reasons || []).join("；") : "");
    var grow = make("div", "confirm-row");
    var gyes = make("button", null, "确认等级 ");
    gyes.type = "button";
    gyes.appendChild(make("kbd", null, "G"));
    grow.append(gyes, make("span", "hint", "Enter 确认类型 · G 确认等级 · Esc 跳过"));
    var msg = make("p", "form-msg");
    msg.setAttribute("role", "status");
    box.append(gline, grow, msg);

    yes.hidden = !s.code && !u.subtype;
    gyes.hidden = !g.grade;
    box.hidden = false;

    function close() { box.hidden = true; if (o.done) o.done(); }
    function say(text, bad) { msg.textContent = text; msg.classList.toggle("bad", !!bad); }
    function confirmAs(what, value) {
      if (!value) return;
      var body = {};
      body[what] = value;
      o.post("/api/v1/incidents/" + o.incident + "/confirm-" + what + "/", body).then(function (inc) {
        say(what === "subtype" ? "已确认类型：" + nameOf(inc.subtype) : "已确认等级：" + (GRADE[inc.grade] || inc.grade));
        (what === "subtype" ? yes : gyes).hidden = true;
        if (what === "subtype" && !gyes.hidden) gyes.focus();
        if (yes.hidden && gyes.hidden) setTimeout(close, 600);
      }).catch(function (e) { say(e.message, true); });
    }
    yes.addEventListener("click", function () { confirmAs("subtype", u.subtype || s.code); });
    other.addEventListener("click", function () { confirmAs("subtype", pick.value); });
    gyes.addEventListener("click", function () { confirmAs("grade", g.grade); });
    pick.addEventListener("keydown", function (e) { if (e.key === "Enter") { e.preventDefault(); confirmAs("subtype", pick.value); } });
    box.onkeydown = function (e) {
      if (e.key === "Escape") { e.preventDefault(); close(); }
      else if ((e.key === "g" || e.key === "G") && e.target.tagName !== "SELECT" && !gyes.hidden) { e.preventDefault(); gyes.click(); }
    };
    (yes.hidden ? pick : yes).focus();
  }

  window.IncidentConfirm = { offer: offer };
})();
