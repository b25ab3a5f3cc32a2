// The supervision ledger (督办台账): each case's step forms post to the API; on success the
// page reloads to show the new state and its ledger entry, on refusal the API's message.
// Each form's Idempotency-Key is kept across a double-click, and its keys are every form's
// (Enter moves on, Ctrl+Enter submits): static/forms.js.
(function () {
  "use strict";
  function body(step, data) {
    if (step === "assign") return { departments: data.getAll("departments").map(Number) };
    if (step === "review") {
      var review = { accepted: data.get("accepted") === "true", text: data.get("text") || "" };
      // A date only: the re-check falls due at 09:00 that day, in the configured zone.
      if (data.get("recheck_at")) review.recheck_at = data.get("recheck_at") + "T09:00";
      return review;
    }
    return { text: data.get("text") || "" };
  }

  document.querySelectorAll("tr[data-id] form[data-step]").forEach(function (form) {
    DutyForms.keys(form);  // Enter moves on, Ctrl+Enter submits, as on every form
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      var row = form.closest("tr");
      var error = row.querySelector(".case-error");
      var button = form.querySelector("button[type=submit]");
      var step = form.dataset.step;
      if (button.disabled) return;
      button.disabled = true;
      error.textContent = "";
      DutyForms.api("POST", "/api/v1/supervision/" + row.dataset.id + "/" + step + "/", body(step, new FormData(form)), DutyForms.key(form))
        .then(function () { location.reload(); }, function (e) {
          error.textContent = e.message;
          button.disabled = false;
        });
    });
  });
})();
