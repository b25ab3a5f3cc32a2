/* What every page shares: the CSRF token, JSON calls to the API, and the text of an API error. */
(function () {
  "use strict";

  function csrf() {
    var m = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
    return m ? decodeURIComponent(m[1]) : "";
  }

  function messages(value) {
    if (value === null || value === undefined) return [];
    if (Array.isArray(value)) return [].concat.apply([], value.map(messages));
    if (typeof value === "object") return [].concat.apply([], Object.keys(value).map(function (k) { return messages(value[k]); }));
    return [String(value)];
  }

  // DRF error bodies are {"detail": "…"} or {"field": ["…"], …} (nested for lists); the
  // messages already say what is wrong in the reader's language, so field keys are left out.
  function errorText(data, status) {
    var text = data && typeof data === "object" && data.detail ? String(data.detail) : messages(data).join("；");
    return text || "请求失败（" + (status || "?") + "）";
  }

  // Resolves with the parsed body; rejects with an Error whose message is errorText(), plus .status and .data.
  function api(method, url, body) {
    return fetch(url, {
      method: method,
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRFToken": csrf(), Accept: "application/json" },
      body: body ? JSON.stringify(body) : undefined,
    }).then(function (r) {
      return r.json().catch(function () { return {}; }).then(function (data) {
        if (!r.ok) {
          var err = new Error(errorText(data, r.status));
          err.status = r.status;
          err.data = data;
          throw err;
        }
        return data;
      });
    });
  }

  window.Duty = { csrf: csrf, api: api, errorText: errorText };
})();
