/* Shared helpers for the incidents pages: JSON fetch with the session's CSRF token
   (and, for a create, the form's Idempotency-Key: static/forms.js). */
(function () {
  "use strict";
  async function api(method, url, body, idemKey) {
    const opts = { method, credentials: "same-origin", headers: { Accept: "application/json" } };
    if (idemKey) opts.headers["Idempotency-Key"] = idemKey;
    if (body !== undefined) {
      opts.headers["Content-Type"] = "application/json";
      opts.headers["X-CSRFToken"] = Duty.csrf();
      opts.body = JSON.stringify(body);
    }
    const res = await fetch(url, opts);
    let data = null;
    try { data = await res.json(); } catch (e) { data = null; }
    return { ok: res.ok, status: res.status, data };
  }
  window.Inc = { api, errorText: Duty.errorText };
})();
