// DutyLive: the live picture behind the board, the leaders' view and the console.
// Starts from a snapshot (state as of stream position `seq`), then applies every
// event from /ws/events/ on top of it. After a drop it reconnects with exponential
// backoff and ?after=<last seq>, so nothing is missed; if it fell more than
// RESYNC_GAP events behind it reloads the snapshot instead of replaying them all.
// Stream is that one connection, and follow() gives it to pages without a snapshot
// (department console, alert office, roster): every live page connects the same way.
// While disconnected a page says since when its data may be stale and stops its countdowns.
// No inline script anywhere: data arrives in a json_script tag and data- attributes.
(function () {
  "use strict";

  var RESYNC_GAP = 1000;
  var MAX_BACKOFF_MS = 15000;
  var FEED_SIZE = 60;
  var RECENT_SIZE = 500;
  var TZ = document.documentElement.dataset.tz || "Asia/Shanghai";  // settings.TIME_ZONE, from base.html
  var CLOSED_INCIDENT = { closed: 1, merged: 1 };
  var SIGNED_ALERT = { acknowledged: 1, fed_back: 1, closed: 1 };
  // Events whose effect the client does not model field by field: reload the snapshot.
  var REFRESH_TYPES = /^(activation\.|plan\.(activated|level_changed|terminated)|shift\.|handover\.|plan\.matched)/;

  var api = Duty.api, csrf = Duty.csrf;

  // An element with an optional class and text: every page's DOM building block.
  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined && text !== null) e.textContent = text;
    return e;
  }

  var pad = function (n) { return String(n).padStart(2, "0"); };
  var partsFmt = new Intl.DateTimeFormat("zh-CN", {
    timeZone: TZ, year: "numeric", month: "2-digit", day: "2-digit",
    hour: "2-digit", minute: "2-digit", second: "2-digit", hourCycle: "h23", weekday: "long",
  });

  function parts(date) {
    var out = {};
    partsFmt.formatToParts(date).forEach(function (p) { out[p.type] = p.value; });
    return out;
  }

  // The one time formatter of every page (the server's twin: dutyops.times, the `when`
  // template filter): absolute times "12月2日 14:33" in the configured zone, countdowns
  // "剩 9分42秒" / "超时 3分", never a bare "09:42" that reads like a time of day.
  function toDate(v) { return v instanceof Date ? v : new Date(typeof v === "number" ? v : Date.parse(v)); }
  function countdown(ms) {
    var late = ms < 0, s = Math.floor(Math.abs(ms) / 1000), m = Math.floor(s / 60), h = Math.floor(m / 60), d = Math.floor(h / 24);
    var text;
    if (d >= 2) text = d + "天" + (h % 24) + "小时";
    else if (h >= 1) text = h + "小时" + (m % 60) + "分";
    else if (late) text = m ? m + "分" : (s % 60) + "秒";
    else text = m + "分" + pad(s % 60) + "秒";
    return (late ? "超时 " : "剩 ") + text;
  }
  var fmt = {
    // "12月2日 14:33" (seconds: "12月2日 14:33:05")
    when: function (v, seconds) {
      var p = parts(toDate(v));
      return Number(p.month) + "月" + Number(p.day) + "日 " + p.hour + ":" + p.minute + (seconds ? ":" + p.second : "");
    },
    time: function (iso) { var p = parts(toDate(iso)); return p.hour + ":" + p.minute; },
    timeSec: function (iso) { var p = parts(toDate(iso)); return p.hour + ":" + p.minute + ":" + p.second; },
    clock: function (date) {
      var p = parts(date);
      return { time: p.hour + ":" + p.minute + ":" + p.second, date: p.year + "年" + Number(p.month) + "月" + Number(p.day) + "日 " + p.weekday };
    },
    countdown: countdown,
    // "3小时12分" for elapsed times
    ago: function (ms) {
      var m = Math.max(0, Math.floor(ms / 60000));
      if (m < 60) return m + "分钟";
      var h = Math.floor(m / 60);
      if (h < 48) return h + "小时" + (m % 60 ? (m % 60) + "分" : "");
      return Math.floor(h / 24) + "天" + (h % 24) + "小时";
    },
  };

  function Live(opts) {
    this.opts = opts;
    this.skew = 0; // server clock minus browser clock
    this.recent = [];
    this.refreshTimer = null;
    this.status = "connecting";
    this.load(opts.initial, true);
  }

  Live.prototype.now = function () { return Date.now() + this.skew; };

  Live.prototype.load = function (snap, first) {
    if (snap.now) this.skew = new Date(snap.now).getTime() - Date.now();
    var incidents = new Map(), alerts = new Map();
    (snap.incidents || []).forEach(function (i) { incidents.set(i.id, i); });
    (snap.alerts || []).forEach(function (a) { alerts.set(a.id, a); });
    this.state = {
      incidents: incidents,
      alerts: alerts,
      onDuty: snap.on_duty || [],
      figures: snap.figures || {},
      approvals: snap.approvals || [],
      feed: (snap.events || []).slice(-FEED_SIZE),
      labels: snap.labels || { category: {}, status: {} },
    };
    if (first || snap.seq > (this.seq || 0)) this.seq = snap.seq;
    // Events newer than the snapshot that we already saw: apply them again on top.
    var self = this;
    this.recent.forEach(function (env) { if (env.seq > snap.seq) self.applyState(env); });
  };

  Live.prototype.changed = function (env) {
    if (this.opts.onChange) this.opts.onChange(this.state, env, this);
  };

  Live.prototype.apply = function (env) {
    if (env.seq <= this.seq) return;
    this.seq = env.seq;
    this.recent.push(env);
    if (this.recent.length > RECENT_SIZE) this.recent.shift();
    this.state.feed.push(env);
    if (this.state.feed.length > FEED_SIZE) this.state.feed.shift();
    this.applyState(env);
    if (REFRESH_TYPES.test(env.type)) this.scheduleRefresh(800);
    this.changed(env);
  };

  Live.prototype.applyState = function (env) {
    var d = env.data || {}, st = this.state, t = env.type, f = st.figures;
    if (t.indexOf("incident.") === 0 && d.id && d.status) {
      if (t === "incident.created" && !d.is_drill && f.by_category) {
        f.by_category[d.category] = (f.by_category[d.category] || 0) + 1;
        f.by_grade[d.grade || ""] = (f.by_grade[d.grade || ""] || 0) + 1;
      }
      if (CLOSED_INCIDENT[d.status]) {
        st.incidents.delete(d.id);
      } else {
        var old = st.incidents.get(d.id) || { reported_at: env.at, location_text: "", duty_room: "" };
        st.incidents.set(d.id, Object.assign({}, old, pick(d, INCIDENT_FIELDS)));
      }
    } else if (t === "report.created") {
      if (!d.is_drill && f.reports !== undefined) f.reports += 1;
    } else if (t === "report.overdue") {
      var inc = st.incidents.get(d.incident);
      if (inc) inc.report_overdue = true;
    } else if (t.indexOf("alert.") === 0 && d.id) {
      if (t === "alert.created" && f.alerts !== undefined) {
        f.alerts += 1;
        if (f.pending && !d.is_drill) f.pending.push([d.id, d.ack_due_at]);
      }
      if (t === "alert.acknowledged" && f.signed !== undefined) {
        f.signed += 1;
        if (d.acknowledged_at && d.ack_due_at && d.acknowledged_at <= d.ack_due_at) f.signed_on_time += 1;
      }
      if ((d.acknowledged_at || d.state === "closed") && f.pending) {
        f.pending = f.pending.filter(function (p) { return p[0] !== d.id; });
      }
      if (d.acknowledged_at || SIGNED_ALERT[d.state]) {
        st.alerts.delete(d.id);
      } else {
        var prev = st.alerts.get(d.id) || {};
        var incident = st.incidents.get(d.incident);
        st.alerts.set(d.id, Object.assign({}, prev, pick(d, ALERT_FIELDS), {
          incident_title: prev.incident_title || (incident ? incident.title : "事件 #" + d.incident),
        }));
      }
    }
  };

  var INCIDENT_FIELDS = ["id", "title", "status", "category", "subtype", "grade", "is_drill", "latitude", "longitude",
    "deaths", "injuries", "missing", "next_report_due_at", "report_overdue", "location_text"];
  var ALERT_FIELDS = ["id", "incident", "department", "department_name", "duty", "state", "ack_due_at"];

  function pick(obj, keys) {
    var out = {};
    keys.forEach(function (k) { if (obj[k] !== undefined) out[k] = obj[k]; });
    return out;
  }

  Live.prototype.scheduleRefresh = function (delay) {
    var self = this;
    clearTimeout(this.refreshTimer);
    this.refreshTimer = setTimeout(function () { self.refresh(); }, delay);
  };

  // Reload the snapshot (for panels the client does not track event by event).
  Live.prototype.refresh = function () {
    var self = this;
    return api("GET", this.opts.snapshotUrl).then(function (snap) {
      self.load(snap, false);
      self.changed(null);
      return snap;
    });
  };

  Live.prototype.start = function () {
    var self = this;
    this.stream = new Stream({
      wsPath: this.opts.wsPath,
      eventsUrl: this.opts.eventsUrl,
      after: function () { return self.seq; },
      onEvent: function (env) { self.apply(env); },
      onStatus: function (status) { self.setStatus(status); },
      // Too far behind to replay, or back after a drop: read the whole picture again.
      onResync: function () { return self.refresh(); },
      onResyncAfterDrop: function () { self.refresh().catch(function () {}); },
    });
    this.lastLiveAt = this.now();
    this.stream.connect();
    setInterval(function () { self.tickNow(); }, 1000);
    this.tickNow();
    // Shifts turn over and days roll without an event: a slow full refresh covers them.
    setInterval(function () { if (self.status === "live") self.refresh().catch(function () {}); }, 60000);
    this.changed(null);
  };

  Live.prototype.tickNow = function () {
    var now = this.now();
    if (this.status === "live") this.lastLiveAt = now;
    if (this.opts.onTick) this.opts.onTick(now, this);
  };

  // True while what is on screen may be out of date (the connection is down).
  Live.prototype.stale = function () { return this.status !== "live"; };

  Live.prototype.setStatus = function (status) {
    var was = this.status;
    this.status = status;
    // Live until this moment: a render between two ticks may already show it.
    if (status === "live" || was === "live") this.lastLiveAt = this.now();
    if (this.opts.staleRoot) markStale(this.opts.staleRoot, status !== "live" && status !== "connecting", this.lastLiveAt);
    // Going stale: the countdowns stop here, at once, not at the next tick.
    if (was === "live" && status !== "live" && this.opts.onTick) this.opts.onTick(this.lastLiveAt, this);
    if (this.opts.onStatus) this.opts.onStatus(status, this);
  };

  // Stream: the one WebSocket connection every live page uses (/ws/events/ with the
  // session cookie). Resumes with ?after=<last seq seen> so nothing is missed,
  // exponential backoff with jitter after a drop, reconnects at once when the browser
  // comes back online, stops on 4401 (signed out: the page reloads to the login after
  // 30 s), and calls onResync when it fell more than RESYNC_GAP events behind.
  // opts: wsPath, eventsUrl, after() -> seq, onEvent(env), onStatus(status), onResync() -> promise.
  function Stream(opts) {
    this.opts = opts;
    this.attempts = 0;
    this.ws = null;
    var self = this;
    window.addEventListener("online", function () { self.reconnectNow(); });
  }

  Stream.prototype.status = function (s) { if (this.opts.onStatus) this.opts.onStatus(s); };

  Stream.prototype.connect = function () {
    var self = this;
    var proto = location.protocol === "https:" ? "wss://" : "ws://";
    var ws;
    try {
      ws = new WebSocket(proto + location.host + (this.opts.wsPath || "/ws/events/") + "?after=" + this.opts.after());
    } catch (e) {
      this.retry();
      return;
    }
    this.ws = ws;
    ws.onopen = function () {
      var dropped = self.attempts > 0;
      self.attempts = 0;
      self.status("live");
      if (dropped && self.opts.onResyncAfterDrop) self.opts.onResyncAfterDrop();
    };
    ws.onmessage = function (m) {
      try { self.opts.onEvent(JSON.parse(m.data)); } catch (e) { /* a malformed frame never stops the page */ }
    };
    ws.onclose = function (e) {
      if (self.ws !== ws) return;
      self.ws = null;
      if (e.code === 4401) {
        self.status("unauthorised");
        setTimeout(function () { location.reload(); }, 30000);
        return;
      }
      self.status("reconnecting");
      self.retry();
    };
  };

  Stream.prototype.reconnectNow = function () {
    if (this.ws) return;
    clearTimeout(this.retryTimer);
    this.attempts = 0;
    this.resume();
  };

  Stream.prototype.retry = function () {
    var self = this;
    var delay = Math.min(MAX_BACKOFF_MS, 500 * Math.pow(2, this.attempts)) * (0.8 + Math.random() * 0.4);
    this.attempts += 1;
    clearTimeout(this.retryTimer);
    this.retryTimer = setTimeout(function () { self.resume(); }, delay);
  };

  // Before reconnecting, ask how far behind we are; too far: resync first.
  Stream.prototype.resume = function () {
    var self = this;
    api("GET", (this.opts.eventsUrl || "/api/v1/events/") + "?limit=1&after=" + this.opts.after())
      .then(function (page) {
        if (page.count > RESYNC_GAP && self.opts.onResync) return self.opts.onResync();
        return null;
      })
      .then(function () { self.connect(); })
      .catch(function () { self.status("reconnecting"); self.retry(); });
  };

  // What may be out of date, said plainly: the root gets .stale (CSS dims the live parts
  // and countdowns), and a note at its top gives the time of the last update.
  function markStale(root, stale, lastAt) {
    root.classList.toggle("stale", stale);
    root.dataset.stale = stale ? "1" : "";
    var note = root.querySelector(":scope > .stale-note");
    if (!stale) {
      if (note) note.remove();
      return;
    }
    if (!note) {
      note = el("p", "stale-note");
      note.setAttribute("role", "status");
      root.insertBefore(note, root.firstChild);
    }
    note.textContent = "连接已断开：以下为 " + fmt.when(new Date(lastAt), true) + " 的数据，可能已过时；倒计时已暂停，恢复连接后自动更新。";
  }

  // A page without a snapshot (department console, alert office, roster): the stream,
  // the stale marking and a status pill. opts: root, pill, seq, onEvent(env), onResync(), statusText.
  function follow(opts) {
    var seq = Number(opts.seq) || 0;
    var lastLiveAt = Date.now();
    var TEXT = { live: "实时", reconnecting: "已断开，重连中", connecting: "连接中", unauthorised: "登录已失效" };
    var status = "connecting";
    var stream = new Stream({
      after: function () { return seq; },
      onEvent: function (env) {
        if (env.seq <= seq) return;
        seq = env.seq;
        opts.onEvent(env);
      },
      onResync: function () { return Promise.resolve(opts.onResync && opts.onResync()); },
      onResyncAfterDrop: function () { if (opts.onResync) opts.onResync(); },
      onStatus: function (s) {
        if (status === "live" && s !== "live") lastLiveAt = Date.now();
        status = s;
        if (opts.pill) {
          opts.pill.dataset.state = s === "live" ? "open" : s === "connecting" ? "connecting" : "closed";
          opts.pill.textContent = TEXT[s] || s;
        }
        if (opts.root) markStale(opts.root, s !== "live" && s !== "connecting", lastLiveAt);
        if (opts.onStatus) opts.onStatus(s);
      },
    });
    stream.connect();
    return {
      stream: stream,
      stale: function () { return status !== "live" && status !== "connecting"; },
      seq: function () { return seq; },
    };
  }

  window.DutyLive = { Live: Live, Stream: Stream, follow: follow, markStale: markStale, api: api, fmt: fmt, csrf: csrf, el: el };
})();
