/* Shared helpers for the incidents pages: JSON fetch with the session's CSRF token. */
(function () {
  "use strict";
  function cookie(name) {
    const m = document.cookie.match(new RegExp("(?:^|; )" + name + "=([^;]*)"));
    return m ? decodeURIComponent(m[1]) : "";
  }
  async function api(method, url, body) {
    const opts = { method, credentials: "same-origin", headers: { Accept: "application/json" } };
    if (body !== undefined) {
      opts.headers["Content-Type"] = "application/json";
      opts.headers["X-CSRFToken"] = cookie("csrftoken");
      opts.body = JSON.stringify(body);
    }
    const res = await fetch(url, opts);
    let data = null;
    try { data = await res.json(); } catch (e) { data = null; }
    return { ok: res.ok, status: res.status, data };
  }
  function errorText(data) {
    if (!data) return "请求失败";
    if (typeof data === "string") return data;
    if (data.detail) return data.detail;
    return Object.entries(data).map(([k, v]) => k + "：" + [].concat(v).join("；")).join("\n");
  }
  window.Inc = { api, errorText, cookie };
})();
