/* What every form shares, so that no page can make a mess by accident:
   - an Idempotency-Key per logical submission (DutyForms.key/renew/api): a double-click
     or a retry sends the same key, and the server runs the request once
     (dutyops/idempotency.py). Plain HTML forms that post get a hidden
     `_idempotency_key` field, one per page render, honoured the same way;
   - the keyboard: Enter moves to the next field, Ctrl+Enter submits (DutyForms.keys,
     or data-enter="next" on the form), the same on every form;
   - drafts kept in localStorage across a reload, per form and per incident
     (DutyForms.draft, or data-draft="<name>"), cleared on a successful submit and
     at logout;
   - one confirmation dialog for high-impact actions that says what will happen
     (DutyForms.confirm, DutyForms.ask(url) with a consequence from the server).
   Its words come from templates/_forms.html (gettext), as data- attributes of its script tag. */
(function () {
  "use strict";
  var T = (document.currentScript && document.currentScript.dataset) || {};
  function t(key, fallback) { return T[key] || fallback || key; }

  // --- Idempotency-Key ---------------------------------------------------------------
  function newKey() {
    var bytes = new Uint8Array(16);
    (window.crypto || window.msCrypto).getRandomValues(bytes);  // works on plain http too
    return "web-" + Array.from(bytes, function (b) { return b.toString(16).padStart(2, "0"); }).join("");
  }
  // The key of this form's current submission: the same until renew() (after a success).
  function key(form) {
    if (!form.dataset.idempotencyKey) form.dataset.idempotencyKey = newKey();
    return form.dataset.idempotencyKey;
  }
  function renew(form) { form.dataset.idempotencyKey = newKey(); return form.dataset.idempotencyKey; }

  // Like Duty.api, with the key; a 422 (the key already used for another request) renews it.
  function api(method, url, body, idemKey) {
    var headers = { "Content-Type": "application/json", "X-CSRFToken": Duty.csrf(), Accept: "application/json" };
    if (idemKey) headers["Idempotency-Key"] = idemKey;
    return fetch(url, {
      method: method, credentials: "same-origin", headers: headers,
      body: body === undefined ? undefined : JSON.stringify(body),
    }).then(function (r) {
      return r.json().catch(function () { return {}; }).then(function (data) {
        if (!r.ok) {
          var err = new Error(Duty.errorText(data, r.status));
          err.status = r.status;
          err.data = data;
          throw err;
        }
        return data;
      });
    });
  }

  // Submit at most once at a time: `run` returns a Promise; calls meanwhile are dropped.
  function once(form, run) {
    if (form.dataset.busy === "1") return Promise.resolve(null);
    form.dataset.busy = "1";
    var done = function () { delete form.dataset.busy; };
    return Promise.resolve().then(run).then(function (v) { done(); return v; }, function (e) { done(); throw e; });
  }

  // --- keyboard: Enter moves on, Ctrl+Enter submits ------------------------------------
  function fieldsOf(form) {
    return Array.from(form.elements).filter(function (f) {
      return f.tagName !== "FIELDSET" && f.type !== "hidden" && !f.disabled && f.tabIndex >= 0 && f.offsetParent !== null;
    });
  }
  function nextField(form, from) {
    var all = fieldsOf(form), i = all.indexOf(from);
    if (i < 0) return null;
    var j = i + 1;
    if (from.type === "radio") while (j < all.length && all[j].type === "radio" && all[j].name === from.name) j += 1;
    var next = all[j];
    if (next && next.type === "radio") {  // a group takes the focus on its checked option, as Tab does
      var checked = all.find(function (f) { return f.type === "radio" && f.name === next.name && f.checked; });
      next = checked || next;
    }
    return next || null;
  }
  function keys(form, submit) {
    if (form.dataset.keysBound) return;
    form.dataset.keysBound = "1";
    form.addEventListener("keydown", function (e) {
      if (e.key !== "Enter" || e.isComposing || e.keyCode === 229) return;  // an IME is composing: its Enter is its own
      if (e.ctrlKey || e.metaKey) {
        e.preventDefault();
        if (submit) submit(); else form.requestSubmit();
        return;
      }
      var el = e.target;
      if (e.shiftKey || e.altKey || el.tagName === "TEXTAREA" || el.tagName === "BUTTON" || el.type === "submit" || el.type === "button") return;
      e.preventDefault();  // never a submit from a field
      var next = nextField(form, el);
      if (next) next.focus();
    });
  }

  // --- drafts --------------------------------------------------------------------------
  var PREFIX = "dutyops.draft:";
  function storage() { try { return window.localStorage; } catch (e) { return null; } }
  function saveable(f) {
    return f.name && f.name !== "_idempotency_key" && f.name !== "csrfmiddlewaretoken" && f.type !== "hidden"
      && f.type !== "password" && f.type !== "file" && f.type !== "submit" && f.type !== "button";
  }
  function readForm(form) {
    var out = {};
    Array.from(form.elements).filter(saveable).forEach(function (f) {
      if (f.type === "radio") { if (f.checked) out[f.name] = f.value; else if (!(f.name in out)) out[f.name] = null; }
      else if (f.type === "checkbox") out[f.name] = f.checked;
      else out[f.name] = f.value;
    });
    return out;
  }
  function writeForm(form, values) {
    Array.from(form.elements).filter(saveable).forEach(function (f) {
      if (!(f.name in values)) return;
      var v = values[f.name], before = f.type === "radio" || f.type === "checkbox" ? f.checked : f.value;
      if (f.type === "radio") f.checked = v !== null && f.value === v;
      else if (f.type === "checkbox") f.checked = !!v;
      else f.value = v;
      var after = f.type === "radio" || f.type === "checkbox" ? f.checked : f.value;
      // Dependent fields (a subtype list that follows the category) fill before their turn.
      if (before !== after && (f.tagName === "SELECT" || f.type === "radio" || f.type === "checkbox")) {
        f.dispatchEvent(new Event("change", { bubbles: true }));
      }
    });
  }
  function clearDraft(name) { var s = storage(); if (s) s.removeItem(PREFIX + name); }
  var unsaved = new Set();  // drafts typed into in the last moment: saved if the page goes now
  window.addEventListener("pagehide", function () { unsaved.forEach(function (h) { h.save(); }); });

  /* Keep what is typed into `form` under `name` (e.g. "intake:follow_up:12"): restored now
     if there is one, saved as the user types. opts: skip (field names), quiet (restore
     without the "restored" note: lists that redraw), onDiscard. Returns {restored, clear(), save()}. */
  function draft(form, name, opts) {
    opts = opts || {};
    var s = storage(), storeKey = PREFIX + name, timer = null, note = null;
    var handle = { restored: false, name: name };
    var baseline = JSON.stringify(readForm(form));  // the form as it stands untouched: no draft
    function save() {
      clearTimeout(timer);
      unsaved.delete(handle);
      if (!s) return;
      var values = readForm(form);
      if (JSON.stringify(values) === baseline) { clearDraft(name); return; }
      if (opts.skip) opts.skip.forEach(function (k) { delete values[k]; });
      try { s.setItem(storeKey, JSON.stringify({ at: Date.now(), values: values })); } catch (e) { /* full or private */ }
    }
    handle.save = save;
    handle.clear = function () {
      clearTimeout(timer);
      unsaved.delete(handle);
      clearDraft(name);
      if (note) { note.remove(); note = null; }
    };
    if (s) {
      var stored = null;
      try { stored = JSON.parse(s.getItem(storeKey) || "null"); } catch (e) { stored = null; }
      if (stored && stored.values) {
        writeForm(form, stored.values);
        handle.restored = true;
      }
      if (handle.restored && !opts.quiet) {
        note = document.createElement("p");
        note.className = "draft-note";
        note.setAttribute("role", "status");
        note.textContent = t("draft_restored", "已恢复上次未提交的内容。") + " ";
        note.style.cssText = "background:#fff7e0;border:1px solid #f2d58a;border-radius:6px;padding:.3rem .6rem;margin:.3rem 0;font-size:.9rem";
        var drop = document.createElement("button");
        drop.type = "button";
        drop.className = "link draft-drop";
        drop.textContent = t("draft_discard", "放弃草稿");
        drop.style.cssText = "background:none;color:#14213d;text-decoration:underline;padding:0 .2rem";
        drop.addEventListener("click", function () {
          handle.clear();
          form.reset();
          if (opts.onDiscard) opts.onDiscard();
        });
        note.appendChild(drop);
        form.insertBefore(note, form.firstChild);
      }
    }
    function later() { clearTimeout(timer); unsaved.add(handle); timer = setTimeout(save, 250); }
    form.addEventListener("input", later);
    form.addEventListener("change", later);
    return handle;
  }

  // --- confirmation of high-impact actions --------------------------------------------
  /* confirm({title, lines: [..], sections: [{heading, items: [..]}], confirm, cancel, danger,
     field: {label, placeholder, required}}) -> Promise<boolean>, or with a field (a reason)
     Promise<string|false>: the text typed, false on cancel. One modal dialog; Esc or the
     cancel button says no; a required field keeps the confirm button off until filled. */
  function confirmDialog(o) {
    return new Promise(function (resolve) {
      var dlg = document.createElement("dialog");
      dlg.className = "duty-confirm";
      dlg.setAttribute("aria-labelledby", "duty-confirm-title");
      dlg.style.cssText = "max-width:min(42rem,94vw);border:1px solid #d9dee5;border-radius:10px;padding:1rem 1.3rem;box-shadow:0 8px 30px #0004";
      var h = document.createElement("h2");
      h.id = "duty-confirm-title";
      h.textContent = o.title || t("confirm_title", "请确认");
      h.style.cssText = "margin:0 0 .6rem;font-size:1.15rem";
      dlg.appendChild(h);
      (o.lines || []).forEach(function (line) {
        var p = document.createElement("p");
        p.textContent = line;
        p.style.margin = ".3rem 0";
        dlg.appendChild(p);
      });
      (o.sections || []).forEach(function (sec) {
        var box = document.createElement("section");
        box.className = "consequence";
        if (sec.heading) {
          var sh = document.createElement("h3");
          sh.textContent = sec.heading;
          sh.style.cssText = "margin:.7rem 0 .3rem;font-size:1rem";
          box.appendChild(sh);
        }
        var ul = document.createElement("ul");
        ul.style.cssText = "margin:0;padding-left:1.2rem";
        (sec.items || []).forEach(function (it) {
          var li = document.createElement("li");
          li.textContent = it;
          ul.appendChild(li);
        });
        box.appendChild(ul);
        dlg.appendChild(box);
      });
      var input = null;
      if (o.field) {
        var lab = document.createElement("label");
        lab.style.cssText = "display:flex;flex-direction:column;gap:.3rem;margin-top:.8rem;font-weight:600";
        lab.textContent = o.field.label || "";
        input = document.createElement("textarea");
        input.className = "confirm-field";
        input.rows = 3;
        input.required = !!o.field.required;
        input.placeholder = o.field.placeholder || "";
        input.style.cssText = "width:100%;box-sizing:border-box;font-weight:400";
        lab.appendChild(input);
        dlg.appendChild(lab);
      }
      var row = document.createElement("div");
      row.style.cssText = "display:flex;gap:.6rem;justify-content:flex-end;margin-top:1rem";
      var no = document.createElement("button");
      no.type = "button";
      no.className = "ghost confirm-no";
      no.textContent = o.cancel || t("cancel", "取消");
      no.style.cssText = "background:#fff;color:#14213d;border:1px solid #14213d";
      var yes = document.createElement("button");
      yes.type = "button";
      yes.className = "primary confirm-yes";
      yes.textContent = o.confirm || t("confirm", "确认");
      if (o.danger !== false) yes.style.background = "#b3261e";
      row.append(no, yes);
      dlg.appendChild(row);
      document.body.appendChild(dlg);
      var answered = false;
      function answer(v) {
        if (answered) return;
        answered = true;
        if (dlg.open) dlg.close();
        dlg.remove();
        resolve(v);
      }
      function value() { return input ? input.value.trim() : ""; }
      function ready() { return !input || !input.required || value() !== ""; }
      no.addEventListener("click", function () { answer(false); });
      yes.addEventListener("click", function () { if (ready()) answer(input ? value() : true); });
      dlg.addEventListener("cancel", function (e) { e.preventDefault(); answer(false); });
      if (input) {
        yes.disabled = !ready();
        input.addEventListener("input", function () { yes.disabled = !ready(); });
        input.addEventListener("keydown", function (e) {  // Ctrl+Enter confirms, as it submits every form
          if (e.key === "Enter" && (e.ctrlKey || e.metaKey) && !e.isComposing) { e.preventDefault(); yes.click(); }
        });
      }
      dlg.showModal();
      // The safe choice has the focus (Enter twice never starts anything by accident);
      // with a reason to give, the box has it.
      (input || no).focus();
    });
  }

  /* Ask the server what an action will do (GET url → {title, lines, sections, confirm,
     cancel}), show it, and resolve true if the person confirms. Rejects with the error. */
  function ask(url) {
    return api("GET", url).then(function (c) { return confirmDialog(c); });
  }

  // --- plain HTML forms ------------------------------------------------------------------
  // A posted form's draft is dropped once the page it lands on no longer offers that form
  // (it went through); a page that offers it again (refused, say) restores it.
  var SUBMITTED = "dutyops.submitted-drafts";
  function session() { try { return window.sessionStorage; } catch (e) { return null; } }
  function settleSubmitted() {
    var ss = session();
    if (!ss) return;
    var names = [];
    try { names = JSON.parse(ss.getItem(SUBMITTED) || "[]"); } catch (e) { names = []; }
    ss.removeItem(SUBMITTED);
    names.forEach(function (name) {
      var still = Array.from(document.querySelectorAll("form[data-draft]")).some(function (f) { return f.dataset.draft === name; });
      if (!still) clearDraft(name);
    });
  }
  function markSubmitted(name) {
    var ss = session();
    if (!ss) return;
    var names = [];
    try { names = JSON.parse(ss.getItem(SUBMITTED) || "[]"); } catch (e) { names = []; }
    if (names.indexOf(name) < 0) names.push(name);
    ss.setItem(SUBMITTED, JSON.stringify(names));
  }
  function wire() {
    settleSubmitted();
    document.querySelectorAll("form").forEach(function (form) {
      if ((form.getAttribute("method") || "").toLowerCase() === "post" && !form.elements.namedItem("_idempotency_key")) {
        var hidden = document.createElement("input");
        hidden.type = "hidden";
        hidden.name = "_idempotency_key";
        hidden.value = newKey();
        form.appendChild(hidden);
        // A second submit of the same render (a double-click) is dropped here, and the
        // server answers the same key once if it gets through.
        form.addEventListener("submit", function (e) {
          if (form.dataset.submitted === "1") { e.preventDefault(); return; }
          form.dataset.submitted = "1";
          setTimeout(function () { delete form.dataset.submitted; }, 3000);
        });
      }
      if (form.dataset.enter === "next") keys(form);
      if (form.dataset.draft) {
        var d = draft(form, form.dataset.draft);
        if ((form.getAttribute("method") || "").toLowerCase() === "post") {
          form.addEventListener("submit", function () { d.save(); markSubmitted(d.name); });
        }
      }
    });
    var out = document.querySelector("form.logout");
    if (out) out.addEventListener("submit", function () {  // the next person on this machine sees no one else's drafts
      var s = storage();
      if (!s) return;
      Object.keys(s).filter(function (k) { return k.indexOf(PREFIX) === 0; }).forEach(function (k) { s.removeItem(k); });
    });
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", wire);
  else wire();

  window.DutyForms = {
    t: t, newKey: newKey, key: key, renew: renew, api: api, once: once,
    keys: keys, nextField: nextField, draft: draft, clearDraft: clearDraft,
    confirm: confirmDialog, ask: ask,
  };
})();
