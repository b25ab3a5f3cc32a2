// The ops-room board and the leaders' view: renders DutyLive's picture.
// Countdowns tick every second from the server's clock (skew-corrected).
(function () {
  "use strict";
  var root = document.getElementById("board");
  if (!root) return;
  var L = window.L, D = window.DutyLive, fmt = D.fmt, el = D.el;
  var mode = root.dataset.mode;
  var GRADE_RANK = { I: 0, II: 1, III: 2, IV: 3 };
  var GRADE_LABEL = { I: "I级", II: "II级", III: "III级", IV: "IV级" };
  var GRADE_COLOR = { I: "#ff4d4f", II: "#ff8a3d", III: "#f5c542", IV: "#3ea6ff", "": "#8a94a6" };
  var CATEGORY_COLOR = {
    natural_disaster: "#3ea6ff", accident_disaster: "#ff8a3d", public_health: "#36cfc9", social_security: "#b37feb",
  };
  var EVENT_NOUN = {
    incident: "事件", report: "报告", alert: "通知", plan: "预案", activation: "预案", instruction: "批示",
    shift: "排班", handover: "交接", supervision: "督办", case: "督办", circular: "通报", checkin: "到岗",
    absence: "脱岗", department: "单位", person: "人员", classified: "涉密", duty: "值班",
    warning: "预警", finding: "追责", staff_error: "差错", swap: "换班", dutylog: "日志", chain: "报送",
    source: "接入", calendar_feed: "日历",
  };
  var AMBER_MS = 10 * 60 * 1000;
  var PAGE_SECONDS = Number(root.dataset.pageSeconds) || 8;

  var $ = function (id) { return document.getElementById(id); };

  // --- panels -----------------------------------------------------------------

  function renderDuty(rows) {
    var list = $("duty-list");
    list.textContent = "";
    if (!rows.length) {
      list.appendChild(el("li", "empty", "暂无排班数据"));
      return;
    }
    rows.slice(0, 6).forEach(function (r) {
      var li = el("li", "duty-room" + (r.kind === "duty_office" ? " main" : ""));
      var head = el("div", "duty-head");
      head.appendChild(el("strong", "room", r.room));
      head.appendChild(el("span", "until", "至 " + fmt.when(r.ends_at)));
      li.appendChild(head);
      var people = el("div", "people");
      var lead = el("span", "leader");
      lead.appendChild(el("em", null, "带班"));
      lead.appendChild(document.createTextNode(r.leader ? short(r.leader) : "未安排"));
      people.appendChild(lead);
      var off = el("span", "officers");
      off.appendChild(el("em", null, "值班"));
      off.appendChild(document.createTextNode(r.officers.length ? r.officers.map(short).join("、") : "未安排"));
      people.appendChild(off);
      li.appendChild(people);
      if (r.phone) li.appendChild(el("span", "phone", "☎ " + r.phone));
      list.appendChild(li);
    });
  }

  // "张明（值班员）" -> "张明": the role is already the column.
  function short(name) { return String(name).replace(/（[^）]*）$/, ""); }

  function sortedIncidents(st) {
    return Array.from(st.incidents.values()).sort(function (a, b) {
      var ga = a.grade in GRADE_RANK ? GRADE_RANK[a.grade] : 4, gb = b.grade in GRADE_RANK ? GRADE_RANK[b.grade] : 4;
      if (ga !== gb) return ga - gb;
      if (!!a.report_overdue !== !!b.report_overdue) return a.report_overdue ? -1 : 1;
      var da = a.next_report_due_at ? Date.parse(a.next_report_due_at) : Infinity;
      var db = b.next_report_due_at ? Date.parse(b.next_report_due_at) : Infinity;
      if (da !== db) return da - db;
      return Date.parse(b.reported_at) - Date.parse(a.reported_at);
    });
  }

  function renderKpis(st) {
    var counts = { I: 0, II: 0, III: 0, IV: 0 }, overdue = 0, total = 0;
    st.incidents.forEach(function (i) {
      if (i.status === "transferred") return;
      total += 1;
      if (i.grade in counts) counts[i.grade] += 1;
      if (i.report_overdue) overdue += 1;
    });
    $("kpi-total").textContent = total;
    Object.keys(counts).forEach(function (g) { $("kpi-" + g).textContent = counts[g]; });
    $("kpi-overdue").textContent = overdue;
    $("kpi-unsigned").textContent = st.alerts.size;
    $("kpi-overdue").parentNode.classList.toggle("on", overdue > 0);
    $("kpi-unsigned").parentNode.classList.toggle("on", st.alerts.size > 0);
  }

  function renderIncidents(st) {
    var body = $("incident-rows");
    var rows = sortedIncidents(st);
    body.textContent = "";
    // The wall screen shows what fits; the leaders' view lists every incident in a
    // scrolling panel, since a leader must be able to open any of them.
    var leader = mode === "leader";
    rows.forEach(function (i) {
      var tr = el("tr", "inc grade-" + (i.grade || "none") + (i.report_overdue ? " overdue" : ""));
      tr.dataset.id = i.id;
      var g = el("td", "c-grade");
      g.appendChild(el("span", "grade-badge grade-" + (i.grade || "none"), GRADE_LABEL[i.grade] || "未定级"));
      tr.appendChild(g);
      var t = el("td", "c-title");
      var title = el(mode === "leader" ? "button" : "span", "inc-title", i.title);
      if (mode === "leader") {
        title.type = "button";
        title.dataset.open = i.id;
        title.setAttribute("aria-label", "查看事件详情：" + i.title);
      }
      if (i.is_drill) t.appendChild(el("span", "tag drill", "演练"));
      if (i.plan_gap) t.appendChild(el("span", "tag gap", "无预案"));
      t.appendChild(title);
      var sub = [st.labels.category[i.category] || "", i.location_text || "", casualties(i)].filter(Boolean).join(" · ");
      t.appendChild(el("small", "inc-sub", sub));
      tr.appendChild(t);
      tr.appendChild(el("td", "c-status", st.labels.status[i.status] || i.status));
      var since = el("td", "c-since");
      since.dataset.since = i.reported_at;
      tr.appendChild(since);
      var due = el("td", "c-due");
      if (i.report_overdue) due.dataset.overdue = "1";
      if (i.next_report_due_at) due.dataset.due = i.next_report_due_at;
      else due.textContent = i.report_overdue ? "已超时" : "—";
      tr.appendChild(due);
      body.appendChild(tr);
    });
    // The wall screen pages through every active incident on its own (nobody touches
    // it): as many rows as fit the panel per page, the next page every few seconds,
    // "第 1/3 页" in the heading. The leaders' view scrolls instead.
    if (!leader) paginate();
    $("incidents-empty").hidden = rows.length > 0;
  }

  var page = 0, pages = 1;
  function paginate() {
    var body = $("incident-rows"), panel = body.closest(".panel"), pager = $("inc-pager");
    var trs = Array.from(body.children);
    trs.forEach(function (tr) { tr.hidden = false; });
    var room = panel.getBoundingClientRect().bottom - body.getBoundingClientRect().top - 10;
    var top = null, n = 0;
    pages = 1;
    trs.forEach(function (tr) {
      var r = tr.getBoundingClientRect();
      if (top === null) top = r.top;
      if (r.bottom - top > room && n > 0) { pages += 1; top = r.top; n = 0; }
      tr.dataset.page = pages - 1;
      n += 1;
    });
    if (page >= pages) page = 0;
    showPage();
    pager.hidden = pages < 2;
  }

  function showPage() {
    var body = $("incident-rows");
    Array.from(body.children).forEach(function (tr) { tr.hidden = Number(tr.dataset.page) !== page; });
    $("inc-pager").textContent = "第 " + (page + 1) + "/" + pages + " 页";
    $("inc-pager").dataset.page = page + 1;
    $("inc-pager").dataset.pages = pages;
  }

  if (mode !== "leader") {
    setInterval(function () {
      if (pages < 2) return;
      page = (page + 1) % pages;
      showPage();
    }, PAGE_SECONDS * 1000);
  }

  function casualties(i) {
    var bits = [];
    if (i.deaths) bits.push("死亡" + i.deaths);
    if (i.injuries) bits.push("受伤" + i.injuries);
    if (i.missing) bits.push("失联" + i.missing);
    return bits.join(" ");
  }

  function renderAlerts(st) {
    var byDept = new Map();
    st.alerts.forEach(function (a) {
      var g = byDept.get(a.department) || { name: a.department_name, items: [] };
      g.items.push(a);
      byDept.set(a.department, g);
    });
    var groups = Array.from(byDept.values());
    groups.forEach(function (g) { g.items.sort(function (a, b) { return Date.parse(a.ack_due_at) - Date.parse(b.ack_due_at); }); });
    groups.sort(function (a, b) { return Date.parse(a.items[0].ack_due_at) - Date.parse(b.items[0].ack_due_at); });
    var list = $("unsigned-list");
    list.textContent = "";
    var max = mode === "leader" ? 5 : 7;
    groups.slice(0, max).forEach(function (g) {
      var li = el("li", "dept");
      li.dataset.department = g.name;
      var head = el("div", "dept-head");
      head.appendChild(el("strong", "dept-name", g.name));
      head.appendChild(el("span", "dept-count", g.items.length + " 件"));
      var cd = el("span", "countdown");
      cd.dataset.due = g.items[0].ack_due_at;
      cd.dataset.kind = "ack";
      cd.setAttribute("role", "timer");
      head.appendChild(cd);
      li.appendChild(head);
      li.appendChild(el("p", "dept-items", g.items.slice(0, 2).map(function (a) { return a.incident_title; }).join("；")));
      list.appendChild(li);
    });
    // Keep only the departments that fit the panel; say how many more are waiting.
    var panel = list.closest(".panel"), shown = Math.min(groups.length, max), note = null;
    while (true) {
      if (note) note.remove();
      note = groups.length > shown ? el("li", "more", "另有 " + (groups.length - shown) + " 个单位未签收") : null;
      if (note) list.appendChild(note);
      if (shown === 0 || panel.getBoundingClientRect().bottom - list.getBoundingClientRect().bottom >= 8) break;
      list.children[shown - 1].remove();
      shown -= 1;
    }
    $("alerts-empty").hidden = groups.length > 0;
  }

  function renderFigures(f) {
    var byCat = f.by_category || {};
    var total = Object.keys(byCat).reduce(function (s, k) { return s + byCat[k]; }, 0);
    $("fig-incidents").textContent = total;
    $("fig-reports").textContent = f.reports || 0;
    $("fig-alerts").textContent = f.alerts || 0;
    $("chart-category").innerHTML = "";
    $("chart-category").appendChild(barChart(byCat));
    renderOnTime(f, live.now());
  }

  // On-time sign-for rate: signed on time over signed plus those whose deadline passed
  // unsigned. A deadline passing counts against the rate at once, not when it is signed.
  var lastRate = null;
  function renderOnTime(f, now) {
    var late = (f.pending || []).filter(function (p) { return p[1] && Date.parse(p[1]) < now; }).length;
    var key = [f.signed_on_time || 0, f.signed || 0, late].join("/");
    if (key === lastRate) return;
    lastRate = key;
    $("chart-ontime").innerHTML = "";
    $("chart-ontime").appendChild(donut(f.signed_on_time || 0, (f.signed || 0) + late, late));
  }

  var SVG = "http://www.w3.org/2000/svg";
  function svg(tag, attrs, text) {
    var e = document.createElementNS(SVG, tag);
    Object.keys(attrs || {}).forEach(function (k) { e.setAttribute(k, attrs[k]); });
    if (text !== undefined) e.textContent = text;
    return e;
  }

  function barChart(byCat) {
    var labels = root._labels.category;
    var keys = Object.keys(labels);
    var max = Math.max(1, Math.max.apply(null, keys.map(function (k) { return byCat[k] || 0; })));
    var W = 360, row = 30, labelW = 100;
    var s = svg("svg", { viewBox: "0 0 " + W + " " + keys.length * row, role: "img", "aria-label": "今日事件按类别" });
    keys.forEach(function (k, i) {
      var v = byCat[k] || 0, y = i * row;
      var w = Math.max(2, (W - labelW - 34) * v / max);
      s.appendChild(svg("text", { x: 0, y: y + 20, class: "lbl" }, labels[k].replace("事件", "")));
      s.appendChild(svg("rect", { x: labelW, y: y + 7, width: W - labelW - 34, height: 16, rx: 3, class: "track" }));
      s.appendChild(svg("rect", { x: labelW, y: y + 7, width: w, height: 16, rx: 3, fill: CATEGORY_COLOR[k] || "#3ea6ff" }));
      s.appendChild(svg("text", { x: W, y: y + 20, class: "val", "text-anchor": "end" }, String(v)));
    });
    return s;
  }

  function donut(onTime, decided, late) {
    var R = 46, C = 2 * Math.PI * R;
    var rate = decided ? onTime / decided : null;
    var s = svg("svg", { viewBox: "0 0 120 120", role: "img", "aria-label": "按时签收率" });
    s.appendChild(svg("circle", { cx: 60, cy: 60, r: R, class: "track-ring", "stroke-width": 14, fill: "none" }));
    if (rate !== null) {
      var color = rate >= 0.9 ? "#3ddc97" : rate >= 0.7 ? "#f5c542" : "#ff4d4f";
      s.appendChild(svg("circle", {
        cx: 60, cy: 60, r: R, fill: "none", stroke: color, "stroke-width": 14, "stroke-linecap": "round",
        "stroke-dasharray": (C * rate).toFixed(1) + " " + C.toFixed(1), transform: "rotate(-90 60 60)",
      }));
    }
    s.appendChild(svg("text", { x: 60, y: 64, "text-anchor": "middle", class: "big" }, rate === null ? "—" : Math.round(rate * 100) + "%"));
    s.appendChild(svg("text", { x: 60, y: 88, "text-anchor": "middle", class: "lbl small" }, onTime + "/" + decided + " 按时"));
    if (late) s.appendChild(svg("text", { x: 60, y: 104, "text-anchor": "middle", class: "lbl small late" }, late + " 件超时未签"));
    return s;
  }

  var lastFeedSeq = 0;
  function renderFeed(feed) {
    var list = $("feed");
    list.textContent = "";
    feed.slice().reverse().slice(0, 30).forEach(function (env) {
      var noun = env.type.split(".")[0];
      var li = el("li", "ev ev-" + noun + (env.seq > lastFeedSeq && lastFeedSeq ? " fresh" : ""));
      li.dataset.seq = env.seq;
      li.appendChild(el("time", null, fmt.timeSec(env.at)));
      li.appendChild(el("span", "ev-tag", EVENT_NOUN[noun] || noun));
      li.appendChild(el("span", "ev-text", (env.data && env.data.summary) || env.type));
      list.appendChild(li);
    });
    if (feed.length) lastFeedSeq = feed[feed.length - 1].seq;
  }

  function renderApprovals(st) {
    var list = $("approval-list");
    if (!list) return;
    list.textContent = "";
    st.approvals.forEach(function (a) {
      var li = el("li", "approval");
      li.appendChild(el("strong", null, a.action_label + (a.level ? " · " + a.level + "级响应" : "") + " · " + a.plan));
      li.appendChild(el("p", null, a.incident_title + " — " + short(a.requested_by) + " 于 " + fmt.time(a.requested_at) + " 提请" + (a.reason ? "：" + a.reason : "")));
      var row = el("div", "approval-actions");
      var ok = el("button", "primary", "批准");
      ok.type = "button";
      ok.dataset.approve = a.activation;
      var no = el("button", "ghost", "不批准");
      no.type = "button";
      no.dataset.reject = a.activation;
      row.appendChild(ok);
      row.appendChild(no);
      li.appendChild(row);
      list.appendChild(li);
    });
    $("approvals-empty").hidden = st.approvals.length > 0;
  }

  // --- map ------------------------------------------------------------------------

  var map = null, markers = null;
  function initMap() {
    if (!L || !$("map")) return;
    map = L.map("map", {
      zoomControl: false, attributionControl: false, zoomSnap: 0.1, scrollWheelZoom: mode === "leader",
      dragging: mode === "leader", doubleClickZoom: mode === "leader", keyboard: false,
    });
    map.setView([28.22, 112.97], 11);
    markers = L.layerGroup().addTo(map);
    fetch(root.dataset.geojson, { credentials: "same-origin" })
      .then(function (r) { return r.json(); })
      .then(function (geo) {
        var layer = L.geoJSON(geo, {
          style: function (f) {
            var k = f.properties.kind;
            if (k === "river") return { color: "#2f7fd1", weight: 7, opacity: 0.55 };
            if (k === "boundary") return { color: "#5fb3ff", weight: 2.5, fillColor: "#10325a", fillOpacity: 0.35 };
            return { color: "#3b6ea5", weight: 1, dashArray: "4 4", fillColor: "#16406e", fillOpacity: 0.25 };
          },
          pointToLayer: function (f, latlng) {
            return L.circleMarker(latlng, { radius: 1, opacity: 0, fillOpacity: 0, interactive: false });
          },
          onEachFeature: function (f, lyr) {
            if (f.properties.label) {
              lyr.bindTooltip(f.properties.name, { permanent: true, direction: "center", className: "area-label" });
            }
          },
        }).addTo(map);
        map.fitBounds(layer.getBounds(), { padding: [12, 12] });
        map.on("zoomend moveend resize", placeAreaLabels);
        renderMap(live.state);
      })
      .catch(function () { $("map-note").textContent = "（行政区划底图加载失败）"; });
  }

  function renderMap(st) {
    if (!map) return;
    markers.clearLayers();
    var located = 0;
    sortedIncidents(st).reverse().forEach(function (i) {
      if (i.latitude === null || i.latitude === undefined || i.longitude === null) return;
      located += 1;
      var g = i.grade || "";
      var m = L.circleMarker([i.latitude, i.longitude], {
        radius: g === "I" ? 13 : g === "II" ? 11 : g === "III" ? 9 : 7,
        color: "#0b1526", weight: 2, fillColor: GRADE_COLOR[g], fillOpacity: 0.95,
        className: g === "I" || g === "II" ? "pulse" : "",
      });
      m.bindTooltip((GRADE_LABEL[g] || "未定级") + " " + i.title, {
        permanent: g === "I", direction: "auto", offset: [10, 0], className: "inc-label",
      });
      if (mode === "leader") m.on("click", function () { open(i.id); });
      m.addTo(markers);
    });
    var missing = st.incidents.size - located;
    $("map-note").textContent = missing > 0 ? "（" + missing + " 起无坐标）" : "";
    placeAreaLabels();
  }

  // A district's name stays readable: when a marker (or an incident's label) sits on it,
  // the name moves to the nearest free spot around its centre.
  var NUDGES = [[0, 0]];
  [28, 56, 84, 112].forEach(function (d) {
    [[0, -1], [0, 1], [-1, 0], [1, 0], [-1, -1], [1, -1], [-1, 1], [1, 1]].forEach(function (v) {
      NUDGES.push([Math.round(v[0] * d * 1.6), Math.round(v[1] * d)]);
    });
  });
  function placeAreaLabels() {
    if (!map) return;
    var box = $("map"), frame = box.getBoundingClientRect();
    var obstacles = Array.from(box.querySelectorAll("path.leaflet-interactive, .leaflet-tooltip.inc-label"))
      .map(function (e) { return e.getBoundingClientRect(); });
    var placed = [];
    box.querySelectorAll(".leaflet-tooltip.area-label").forEach(function (label) {
      var best = null, bestHits = Infinity;
      for (var k = 0; k < NUDGES.length; k++) {
        label.style.marginLeft = NUDGES[k][0] + "px";
        label.style.marginTop = NUDGES[k][1] + "px";
        var r = label.getBoundingClientRect();
        if (r.left < frame.left || r.right > frame.right || r.top < frame.top || r.bottom > frame.bottom) continue;
        var hits = obstacles.concat(placed).filter(function (o) { return overlaps(r, o); }).length;
        if (hits < bestHits) { best = k; bestHits = hits; }
        if (!hits) break;
      }
      best = best === null ? 0 : best;
      label.style.marginLeft = NUDGES[best][0] + "px";
      label.style.marginTop = NUDGES[best][1] + "px";
      placed.push(label.getBoundingClientRect());
    });
  }

  function overlaps(a, b) {
    return a.left < b.right && b.left < a.right && a.top < b.bottom && b.top < a.bottom;
  }

  function open(id) {
    document.dispatchEvent(new CustomEvent("board:open", { detail: { id: id } }));
  }

  // --- ticking ------------------------------------------------------------------

  function tick(now) {
    var c = fmt.clock(new Date(now));
    $("clock-time").textContent = c.time;
    $("clock-date").textContent = c.date;
    // Disconnected: the figures are as of the last update, so the countdowns stop
    // there instead of pretending (live.js marks the board stale and says since when).
    if (live.stale()) now = live.lastLiveAt;
    if (live.state) renderOnTime(live.state.figures, now);
    root.querySelectorAll("[data-since]").forEach(function (e) {
      e.textContent = fmt.ago(now - Date.parse(e.dataset.since));
    });
    root.querySelectorAll("[data-due]").forEach(function (e) {
      var left = Date.parse(e.dataset.due) - now;
      var late = left < 0 || e.dataset.overdue === "1";
      e.textContent = fmt.countdown(left);
      e.classList.toggle("late", late);
      e.classList.toggle("soon", !late && left <= AMBER_MS);
    });
  }

  function renderAll(st, env) {
    root._labels = st.labels;
    renderKpis(st);
    renderIncidents(st);
    renderAlerts(st);
    renderFeed(st.feed);
    renderApprovals(st);
    if (!env || env.type.indexOf("incident.") === 0 || env.type === "report.overdue") renderMap(st);
    if (!env || /^(incident\.created|report\.created|alert\.)/.test(env.type)) renderFigures(st.figures);
    if (!env) renderDuty(st.onDuty);
    tick(live.now());
    document.dispatchEvent(new CustomEvent("board:changed", { detail: { env: env } }));
  }

  var STATUS_TEXT = { live: "实时", reconnecting: "重连中", connecting: "连接中", unauthorised: "登录已失效" };
  var live = new D.Live({
    initial: JSON.parse($("board-snapshot").textContent),
    snapshotUrl: root.dataset.snapshotUrl,
    eventsUrl: root.dataset.eventsUrl,
    wsPath: root.dataset.wsPath,
    onChange: renderAll,
    onTick: tick,
    staleRoot: root,
    onStatus: function (status) {
      var pill = $("live");
      pill.dataset.state = status;
      pill.querySelector("span").textContent = STATUS_TEXT[status] || status;
      root.dataset.live = status;
    },
  });
  window.dutyBoard = { live: live, open: open };

  // Kiosk rotation: alternate the overview and the large map.
  var rotate = Number(root.dataset.rotate) || 0;
  if (rotate) {
    setInterval(function () {
      root.dataset.view = root.dataset.view === "overview" ? "map" : "overview";
      if (map) setTimeout(function () { map.invalidateSize(); }, 50);
      if (root.dataset.view === "overview") paginate();  // the table was hidden: measure it again
    }, rotate * 1000);
  }

  root._labels = live.state.labels;
  initMap();
  live.start();
})();
