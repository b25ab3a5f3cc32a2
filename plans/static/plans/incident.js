// Plan matches page (/plans/incident/<id>/): activate a plan, approve/reject a
// pending request, change level, terminate. A static file, not an inline script,
// because pages are served with CSP script-src 'self'.
(function () {
  "use strict";
  const msg = document.getElementById("plan-msg");
  if (!msg) return;
  const incident = msg.dataset.incident;
  const failed = msg.dataset.failed || "操作未完成";

  async function post(url, body) {
    try {
      await Duty.api("POST", url, body);
      location.reload();
    } catch (e) {
      msg.textContent = failed + "：" + e.message;
      msg.className = "error";
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
    if (act === "activate") {
      post("/api/v1/incidents/" + incident + "/activations/", {
        plan: Number(box.dataset.plan), level: level.value, reason: reason ? reason.value : "",
      });
      return;
    }
    const url = "/api/v1/activations/" + box.dataset.activation + "/" + act + "/";
    const body = act === "change-level" ? { level: level.value, reason: reason ? reason.value : "" }
      : act === "terminate" ? { reason: reason ? reason.value : "" }
      : { note: note ? note.value : "" };
    post(url, body);
  });
})();
