/* Incident detail actions: transition, merge, instruction, upward report, transfer confirmation. */
(function () {
  "use strict";
  const root = document.getElementById("incident-actions");
  if (!root) return;
  const id = root.dataset.incident;
  const msg = document.getElementById("action-msg");
  async function run(url, body) {
    const r = await Inc.api("POST", "/api/v1/incidents/" + id + "/" + url, body);
    if (r.ok) { location.reload(); return; }
    msg.textContent = Inc.errorText(r.data);
  }
  function on(formId, build) {
    const f = document.getElementById(formId);
    if (f) f.addEventListener("submit", (ev) => {
      ev.preventDefault();
      const call = build(f.elements);
      if (call) run(...call);
    });
  }
  on("f-transition", (e) => {
    if (e.to.value === "closed" && !confirm(root.dataset.confirmClose)) return null;
    const body = { to: e.to.value, reason: e.reason.value };
    if (e.to.value === "transferred") body.department = Number(e.department.value);
    return ["transition/", body];
  });
  on("f-merge", (e) => ["merge/", { into: Number(e.into.value), reason: e.reason.value }]);
  on("f-instruction", (e) => ["instructions/", { text: e.text.value }]);
  on("f-upward", (e) => ["upward-reports/", {
    kind: e.kind.value, method: e.method.value, verified: e.verified.checked,
    unverified_reason: e.unverified_reason.value, measures: e.measures.value,
    support_needed: e.support_needed.value, text: e.text.value,
  }]);
  on("f-confirm", () => ["confirm-transfer/", {}]);
  const to = document.querySelector("#f-transition [name=to]");
  const dept = document.getElementById("transfer-dept");
  if (to && dept) { const t = () => (dept.hidden = to.value !== "transferred"); to.addEventListener("change", t); t(); }
})();
