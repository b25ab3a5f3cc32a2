// 值班日志 from the officer's console in two keystrokes: Alt+L opens the entry box
// (a call by default: who called and how long it rang), Enter saves, Esc closes.
// The list below it is the shift's one log (GET shifts/<id>/log/): the same lines
// the handover page and the daily report show.
(function () {
  "use strict";
  var form = document.getElementById("log-form");
  var list = document.getElementById("duty-log");
  if (!list) return;
  var D = window.DutyLive, el = D.el, api = D.api;
  var opener = document.getElementById("log-open");
  var msg = document.getElementById("log-msg");
  var shift = list.dataset.shift;
  var LINES = 8;
  var openedAt = null;

  function render(entries) {
    list.textContent = "";
    var rows = entries.slice().reverse().slice(0, LINES);
    if (!rows.length) list.appendChild(el("li", "muted", "本班暂无日志记录。"));
    rows.forEach(function (e) {
      var li = el("li");
      li.appendChild(el("time", null, D.fmt.time(e.at)));
      li.appendChild(el("span", "k", e.kind_label));
      var text = e.text.length > 60 ? e.text.slice(0, 59) + "…" : e.text;
      if (e.caller) text = e.caller + "：" + text;
      if (e.seconds_to_answer !== null && e.seconds_to_answer !== undefined) text += "（" + Math.round(e.seconds_to_answer) + "秒接听）";
      li.appendChild(el("span", null, text));
      list.appendChild(li);
    });
  }

  var reading = 0;
  function reload() {
    if (!shift) return;
    var n = ++reading;
    api("GET", "/api/v1/shifts/" + shift + "/log/").then(function (entries) { if (n === reading) render(entries); }, function () {});
  }

  // Another officer's entry, or a report taken in: the log changes under us.
  document.addEventListener("desk:event", function (e) {
    var env = e.detail;
    if (env && /^(dutylog\.added|report\.created)$/.test(env.type)) reload();
  });

  if (!form) return;
  var text = form.elements.text;

  function kind() { return form.querySelector("input[name=kind]:checked").value; }
  function showCallFields() { form.querySelector(".log-call").hidden = kind() !== "call"; }

  function open() {
    form.hidden = false;
    if (opener) opener.setAttribute("aria-expanded", "true");
    if (openedAt === null) openedAt = Date.now();
    msg.textContent = "";
    showCallFields();
    text.focus();
  }

  function close() {
    form.hidden = true;
    openedAt = null;
    if (opener) { opener.setAttribute("aria-expanded", "false"); opener.focus(); }
  }

  function save() {
    var body = { kind: kind(), text: text.value.trim() };
    if (!body.text) { msg.textContent = "请填写内容。"; msg.classList.add("bad"); text.focus(); return; }
    if (body.kind === "call") {
      body.caller = form.elements.caller.value.trim();
      var secs = form.elements.answer_seconds.value.trim();
      if (secs !== "") {
        var answered = new Date(openedAt || Date.now());
        body.answered_at = answered.toISOString();
        body.received_at = new Date(answered.getTime() - Number(secs) * 1000).toISOString();
      }
    }
    form.classList.add("busy");
    text.disabled = true;
    // One Idempotency-Key per entry (static/forms.js): Enter pressed twice writes one line.
    var F = window.DutyForms;
    var post = F ? F.api("POST", "/api/v1/shifts/" + shift + "/log/", body, F.key(form)) : api("POST", "/api/v1/shifts/" + shift + "/log/", body);
    post
      .then(function () {
        if (F) F.renew(form);
        form.reset();
        msg.classList.remove("bad");
        close();
        msg.textContent = "";
        reload();
      })
      .catch(function (e) { msg.textContent = e.message; msg.classList.add("bad"); })
      .then(function () { form.classList.remove("busy"); text.disabled = false; if (!form.hidden) text.focus(); });
  }

  if (opener) opener.addEventListener("click", function () { if (form.hidden) open(); else close(); });
  form.addEventListener("change", showCallFields);
  form.addEventListener("submit", function (e) { e.preventDefault(); save(); });
  form.addEventListener("keydown", function (e) {
    if (e.key === "Enter" && !e.isComposing) { e.preventDefault(); save(); }
    else if (e.key === "Escape") { e.preventDefault(); close(); }
    else if (e.altKey && /^Digit[123]$/.test(e.code)) {
      e.preventDefault();
      form.querySelectorAll("input[name=kind]")[Number(e.code.slice(5)) - 1].checked = true;
      showCallFields();
      text.focus();
    }
  });
  document.addEventListener("keydown", function (e) {
    if (e.altKey && !e.ctrlKey && !e.metaKey && e.code === "KeyL") { e.preventDefault(); open(); }
  });
})();
