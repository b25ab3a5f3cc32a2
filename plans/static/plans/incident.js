// Plan matches page (/plans/incident/<id>/): activate a plan, approve/reject a
// pending request, change level, terminate. A static file, not an inline script,
// because pages are served with CSP script-src 'self'. Activation, approval, level
// change and termination first show what they will do (which departments get which
// tasks: GET consequences/, DutyForms.ask); each button's Idempotency-Key is kept
// across a double-click.
(function () {
  "use strict";
  const msg = document.getElementById("plan-msg");
  if (!msg) return;
  const incident = msg.dataset.incident;
  const failed = msg.dataset.failed || "操作未完成";

  function fail(e) {
    msg.textContent = failed + "：" + e.message;
    msg.className = "error";
  }

  async function post(btn, url, body, consequence) {
    if (btn.disabled) return;
    btn.disabled = true;
    try {
      if (consequence && !(await DutyForms.ask(consequence))) { btn.disabled = false; return; }
      await DutyForms.api("POST", url, body, DutyForms.key(btn));
      location.reload();
    } catch (e) {
      btn.disabled = false;
      fail(e);
    }
  }

  document.addEventListener("click", function (ev) {
    const btn = ev.target.closest("button[data-act]");
    if (!btn) return;
    const box = btn.closest("[data-plan],[data-activation]");
    if (!box) return;
    const level = box.querySelector(".level-select");
    const reason = box.querySelector(".reason");
    const note = box.querySelector(".note");
    const act = btn.dataset.act;
    const q = (params) => "/api/v1/consequences/?" + new URLSearchParams(params);
    if (act === "activate") {
      post(btn, "/api/v1/incidents/" + incident + "/activations/", {
        plan: Number(box.dataset.plan), level: level.value, reason: reason ? reason.value : "",
      }, q({ action: "activate", incident: incident, plan: box.dataset.plan, level: level.value }));
      return;
    }
    const activation = box.dataset.activation;
    const url = "/api/v1/activations/" + activation + "/" + act + "/";
    const body = act === "change-level" ? { level: level.value, reason: reason ? reason.value : "" }
      : act === "terminate" ? { reason: reason ? reason.value : "" }
      : { note: note ? note.value : "" };
    const consequence = act === "change-level" ? q({ action: "change_level", activation: activation, level: level.value })
      : act === "terminate" ? q({ action: "terminate", activation: activation })
      : act === "approve" ? q({ action: "approve", activation: activation })
      : null;  // rejecting sends nothing to anyone
    post(btn, url, body, consequence);
  });
})();
