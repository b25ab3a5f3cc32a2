/* Keyboard-first intake: required fields first, Enter moves on, Ctrl+Enter submits
   (DutyForms.keys, as on every form). One Idempotency-Key per submission: a double-click
   registers one report. What is typed is kept as a draft across a reload. */
(function () {
  "use strict";
  const form = document.getElementById("intake-form");
  if (!form) return;
  const $ = (name) => form.elements.namedItem(name);
  const out = document.getElementById("intake-result");
  const dupBox = document.getElementById("intake-dups");
  const subtypes = JSON.parse(document.getElementById("subtypes-data").textContent);
  let answeredAt = null;

  function localInput(d) {
    const p = (n) => String(n).padStart(2, "0");
    return d.getFullYear() + "-" + p(d.getMonth() + 1) + "-" + p(d.getDate()) + "T" + p(d.getHours()) + ":" + p(d.getMinutes()) + ":" + p(d.getSeconds());
  }
  function reset() {
    form.reset();
    draft.clear();
    $("received_at").value = localInput(new Date());
    answeredAt = null;
    fillSubtypes();
    toggleIncident();
    form.querySelectorAll(".inc-err").forEach((e) => (e.textContent = ""));
    form.querySelectorAll(".inc-invalid").forEach((e) => e.classList.remove("inc-invalid"));
    $("channel").focus();
  }
  function fillSubtypes() {
    const cat = $("category").value, sel = $("subtype"), keep = sel.value;
    sel.innerHTML = '<option value="">（未选择）</option>';
    subtypes.filter((s) => !cat || s.category === cat).forEach((s) => {
      const o = document.createElement("option");
      o.value = s.code; o.textContent = s.name; sel.appendChild(o);
    });
    sel.value = subtypes.some((s) => s.code === keep && (!cat || s.category === cat)) ? keep : "";
  }
  function toggleIncident() {
    const first = $("kind").value === "first";
    document.getElementById("incident-field").hidden = first;
    document.querySelectorAll(".first-only").forEach((el) => el.classList.toggle("inc-required", first));
  }
  // The call was answered when the officer starts typing.
  form.addEventListener("input", () => { if (!answeredAt) answeredAt = new Date(); }, { once: false });
  $("category").addEventListener("change", fillSubtypes);
  $("kind").addEventListener("change", toggleIncident);

  DutyForms.keys(form, () => submit());
  document.addEventListener("keydown", (ev) => {
    if (ev.altKey && (ev.key === "n" || ev.key === "N")) {
      ev.preventDefault(); reset(); out.innerHTML = ""; dupBox.innerHTML = "";
      document.getElementById("intake-confirm").hidden = true;
    }
  });

  $("location_text").addEventListener("blur", async () => {
    const q = $("location_text").value.trim();
    if (!q || $("latitude").value) return;
    const r = await Inc.api("GET", "/api/v1/geocode/?q=" + encodeURIComponent(q));
    if (r.ok) { $("latitude").value = r.data.latitude; $("longitude").value = r.data.longitude; }
  });
  async function checkDuplicates() {
    if ($("kind").value !== "first" || !$("category").value) return;
    const params = new URLSearchParams({
      category: $("category").value,
      text: [$("title").value, $("location_text").value, $("description").value].join(" "),
      latitude: $("latitude").value, longitude: $("longitude").value,
      is_drill: $("is_drill").checked ? "1" : "0",
    });
    const r = await Inc.api("GET", "/api/v1/duplicates/?" + params);
    showDuplicates(r.ok ? r.data.incidents : [], null);
  }
  ["title", "location_text"].forEach((n) => $(n).addEventListener("blur", checkDuplicates));

  function showDuplicates(list, newIncident) {
    dupBox.innerHTML = "";
    if (!list || !list.length) return;
    const box = document.createElement("div");
    box.className = "inc-dups";
    box.innerHTML = "<strong>可能重复的事件：</strong>";
    const ul = document.createElement("ul");
    list.forEach((inc) => {
      const li = document.createElement("li");
      const a = document.createElement("a");
      a.href = "/incidents/" + inc.id + "/"; a.textContent = "#" + inc.id + " " + (inc.title || "");
      li.appendChild(a);
      if (newIncident) {
        const b = document.createElement("button");
        b.type = "button"; b.textContent = "合并到此事件"; b.dataset.into = inc.id;
        b.addEventListener("click", async () => {
          const ok = await DutyForms.ask("/api/v1/consequences/?action=merge&incident=" + newIncident + "&into=" + inc.id).catch((e) => { alert(e.message); return false; });
          if (!ok) return;
          const r = await Inc.api("POST", "/api/v1/incidents/" + newIncident + "/merge/", { into: inc.id, reason: "接报时发现重复" }, DutyForms.newKey());
          if (r.ok) { out.innerHTML = '<div class="inc-ok">已合并到 <a href="/incidents/' + inc.id + '/">事件 #' + inc.id + "</a></div>"; dupBox.innerHTML = ""; }
          else alert(Inc.errorText(r.data));
        });
        li.append(" ", b);
      }
      ul.appendChild(li);
    });
    box.appendChild(ul);
    dupBox.appendChild(box);
  }

  function body() {
    const b = {};
    const text = ["channel", "kind", "reporter_name", "reporter_unit", "reporter_phone", "title", "description", "category", "subtype", "location_text"];
    text.forEach((n) => { if ($(n).value.trim() !== "") b[n] = $(n).value.trim(); });
    const grade = $("grade").value; b.grade = grade === "" ? null : grade;
    ["deaths", "injuries", "missing", "incident"].forEach((n) => { if ($(n).value !== "") b[n] = Number($(n).value); });
    ["latitude", "longitude"].forEach((n) => { if ($(n).value !== "") b[n] = Number($(n).value); });
    if ($("kind").value === "first") delete b.incident;
    if ($("received_at").value) b.received_at = new Date($("received_at").value).toISOString();
    if ($("occurred_at").value) b.occurred_at = new Date($("occurred_at").value).toISOString();
    if (answeredAt) b.answered_at = answeredAt.toISOString();
    b.is_drill = $("is_drill").checked;
    return b;
  }
  function submit() { return DutyForms.once(form, send); }
  async function send() {
    form.querySelectorAll(".inc-err").forEach((e) => (e.textContent = ""));
    form.querySelectorAll(".inc-invalid").forEach((e) => e.classList.remove("inc-invalid"));
    const payload = body();
    if (payload.answered_at && payload.received_at && payload.answered_at < payload.received_at) payload.answered_at = payload.received_at;
    const r = await Inc.api("POST", "/api/v1/reports/", payload, DutyForms.key(form));
    if (r.status === 422) DutyForms.renew(form);  // the key went with another request: the next try is new
    if (r.status === 201) {
      DutyForms.renew(form);
      draft.clear();
      const id = r.data.incident;
      out.innerHTML = '<div class="inc-ok">已登记报告 #' + r.data.id + '，所属 <a href="/incidents/' + id + '/">事件 #' + id + "</a>。按 Alt+N 登记下一条。</div>";
      const u = r.data.understanding;
      if (u && payload.kind === "first" && u.subtype_source !== "reported" && window.IncidentConfirm) {
        window.IncidentConfirm.offer(document.getElementById("intake-confirm"), {
          incident: id, understanding: u, category: payload.category, subtypes,
          post: async (url, data) => {
            const x = await Inc.api("POST", url, data);
            if (!x.ok) throw new Error(Inc.errorText(x.data));
            return x.data;
          },
          done: () => $("channel").focus(),
        });
      }
      const dups = r.data.possible_duplicates || [];
      if (dups.length) {
        const list = await Promise.all(dups.map(async (d) => { const x = await Inc.api("GET", "/api/v1/incidents/" + d + "/"); return x.ok ? x.data : { id: d }; }));
        showDuplicates(list, id);
      } else dupBox.innerHTML = "";
      return;
    }
    let first = null;
    Object.entries(r.data || {}).forEach(([k, v]) => {
      const slot = form.querySelector('[data-err="' + k + '"]') || form.querySelector('[data-err="non_field_errors"]');
      slot.textContent = [].concat(v).join("；");
      const input = $(k);
      if (input && input.classList) { input.classList.add("inc-invalid"); first = first || input; }
    });
    if (r.status !== 400) out.innerHTML = '<div class="error">' + Inc.errorText(r.data) + "</div>";
    if (first) first.focus();
  }
  form.addEventListener("submit", (ev) => { ev.preventDefault(); submit(); });
  let draft = { clear() {} };
  reset();
  // Restored after reset(): what was typed before a reload comes back (the subtype list
  // follows the category as it is set); saved as the officer types.
  draft = DutyForms.draft(form, form.dataset.draftName, { onDiscard: () => { reset(); } });
  if (draft.restored) { toggleIncident(); if (!answeredAt) answeredAt = new Date(); }
})();
