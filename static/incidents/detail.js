/* Incident detail actions: transition, merge, instruction, verification, upward report,
   signing for a report from below, transfer confirmation.
   Closing and merging first show what they will do (DutyForms.ask: the same dialog
   everywhere); creates carry the form's Idempotency-Key, kept across a double-click. */
(function () {
  "use strict";
  const root = document.getElementById("incident-actions");
  if (!root) return;
  const id = root.dataset.incident;
  const msg = document.getElementById("action-msg");
  const consequence = (params) => "/api/v1/consequences/?" + new URLSearchParams(Object.assign({ incident: id }, params));

  async function run(f, url, body, ask) {
    if (f.dataset.busy) return;
    f.dataset.busy = "1";
    try {
      if (ask && !(await DutyForms.ask(ask))) return;
      const path = url.startsWith("/") ? url : "/api/v1/incidents/" + id + "/" + url;
      const r = await Inc.api("POST", path, body, DutyForms.key(f));
      if (r.ok) {
        if (f.dataset.draftName) DutyForms.clearDraft(f.dataset.draftName);
        location.reload();
        return;
      }
      if (r.status === 422) DutyForms.renew(f);
      msg.textContent = Inc.errorText(r.data);
    } catch (e) {
      msg.textContent = e.message;
    } finally {
      delete f.dataset.busy;
    }
  }
  function on(formId, build) {
    const f = document.getElementById(formId);
    if (!f) return;
    if (f.dataset.draftName) DutyForms.draft(f, f.dataset.draftName);
    DutyForms.keys(f);  // Enter moves on, Ctrl+Enter submits, as on every form
    f.addEventListener("submit", (ev) => {
      ev.preventDefault();
      const call = build(f.elements);
      if (call) run(f, ...call);
    });
  }
  on("f-transition", (e) => {
    const body = { to: e.to.value, reason: e.reason.value };
    if (e.to.value === "transferred") body.department = Number(e.department.value);
    return ["transition/", body, e.to.value === "closed" ? consequence({ action: "close" }) : null];
  });
  on("f-merge", (e) => ["merge/", { into: Number(e.into.value), reason: e.reason.value }, consequence({ action: "merge", into: e.into.value })]);
  on("f-instruction", (e) => ["instructions/", { text: e.text.value, departments: e.departments.value ? [Number(e.departments.value)] : [] }]);
  on("f-upward", (e) => ["upward-reports/", {
    kind: e.kind.value, method: e.method.value, verified: e.verified.checked,
    unverified_reason: e.unverified_reason.value, measures: e.measures.value,
    support_needed: e.support_needed.value, text: e.text.value,
  }]);
  on("f-verify", (e) => ["verifications/", { facts: e.facts.value, method: e.method.value }]);
  on("f-confirm", () => ["confirm-transfer/", {}]);
  // 签收 a report from a lower installation: the receipt goes back down the link.
  document.querySelectorAll("button.sign-inbound").forEach((b) => {
    b.addEventListener("click", () => run(b, "/api/v1/chain/inbox/" + b.dataset.inbound + "/sign/", {}));
  });
  // 合并到 #N on a duplicate flagged at intake: the same merge, the same confirmation.
  document.querySelectorAll("button.merge-into").forEach((b) => {
    b.addEventListener("click", () => {
      const into = b.dataset.into;
      run(b, "merge/", { into: Number(into), reason: b.textContent.trim() }, consequence({ action: "merge", into }));
    });
  });
  const to = document.querySelector("#f-transition [name=to]");
  const dept = document.getElementById("transfer-dept");
  if (to && dept) { const t = () => (dept.hidden = to.value !== "transferred"); to.addEventListener("change", t); t(); }
})();
