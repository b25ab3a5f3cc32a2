"""Notification channels: in-app is the event stream itself; outbound channels are data.

A channel kind is a small class that turns a notice into an HTTP request
body. Deliveries are rows written in the alert's own transaction; the worker's
timer (kind alerts.delivery) arms the next retry and, once that commits, hands
the delivery to the channel's own lane: a bounded queue and a few threads of
its own, each request under the channel's timeout. The timer loop never waits
on a gateway: a hanging SMS gateway holds at most its own lane's threads, never
an escalation step nor another channel (bench/bench_timers.py, "gateway hangs").

Every target is checked against the administrators' allowlist (WebhookTarget)
when a channel is saved and again, on the resolved addresses, when it is sent:
loopback, private and link-local (cloud metadata) addresses are refused unless
the matching entry allows internal addresses. A refused delivery fails at once,
recorded, with no request made (so nothing of the target's answer is ever read
back through deliveries/). Redirects are not followed, nor environment proxies.

Disabling a channel cancels its pending deliveries (recorded: who and when),
their retry timers, and what waits in its lane.
"""

import datetime as dt
import ipaddress
import json
import logging
import queue as queue_module
import socket
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from http import client as http_client

from django.conf import settings
from django.db import connections, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from dutyops import timers

from .models import Delivery, NotificationChannel, WebhookTarget
from .timer_keys import cancel_keys

log = logging.getLogger(__name__)

T_DELIVERY = "alerts.delivery"
RETRY_BASE_SECONDS = 30
MAX_ATTEMPTS_EVER = 20  # NotificationChannelSerializer.validate_max_attempts


class ChannelKind:
    """Subclass and register() to add a channel kind."""

    kind = ""

    def body(self, delivery):
        raise NotImplementedError


class SmsGateway(ChannelKind):
    kind = NotificationChannel.Kind.SMS

    def body(self, delivery):
        return {"phones": delivery.phones, "text": delivery.text}


class WeCom(ChannelKind):
    kind = NotificationChannel.Kind.WECOM

    def body(self, delivery):
        return {"msgtype": "text", "text": {"content": delivery.text, "mentioned_mobile_list": delivery.phones}}


class DingTalk(ChannelKind):
    kind = NotificationChannel.Kind.DINGTALK

    def body(self, delivery):
        return {"msgtype": "text", "text": {"content": delivery.text}, "at": {"atMobiles": delivery.phones}}


class Webhook(ChannelKind):
    kind = NotificationChannel.Kind.WEBHOOK

    def body(self, delivery):
        return {
            "notice": delivery.notice,
            "alert": delivery.alert_id,
            "text": delivery.text,
            "phones": delivery.phones,
        }


KINDS = {}


def register(kind_class):
    KINDS[kind_class.kind] = kind_class()
    return kind_class


for _k in (SmsGateway, WeCom, DingTalk, Webhook):
    register(_k)


def queue(alert, notice, people, text):
    """Record one delivery per enabled channel that carries this notice; the worker sends them."""
    channels = [c for c in NotificationChannel.objects.filter(enabled=True) if not c.notices or notice in c.notices]
    if not channels:
        return []
    phones = sorted({p.phone for p in people if p.phone})
    now = timezone.now()
    created = []
    for channel in channels:
        delivery = Delivery.objects.create(
            channel=channel, alert=alert, notice=notice, text=text, phones=phones, created_at=now
        )
        timers.schedule(T_DELIVERY, f"delivery:{delivery.pk}:1", now, delivery=delivery.pk, attempt=1)
        created.append(delivery)
    return created


def attempt(delivery_id, attempt_no, now):
    """Timer handler body: arm the next retry, then hand the send to the channel's
    lane once this transaction commits. The timer loop goes on at once.

    Arming the retry first means a worker that dies mid-send still retries.
    """
    delivery = Delivery.objects.select_for_update().select_related("channel").filter(pk=delivery_id).first()
    if delivery is None or delivery.status != Delivery.Status.PENDING:
        return
    channel = delivery.channel
    if not channel.enabled:  # disabled by a path that did not cancel (a raw update): cancel now
        _cancel(Delivery.objects.filter(pk=delivery_id), channel, None, now)
        return
    if attempt_no < channel.max_attempts:
        timers.schedule(
            T_DELIVERY,
            f"delivery:{delivery_id}:{attempt_no + 1}",
            now + dt.timedelta(seconds=RETRY_BASE_SECONDS * 2 ** (attempt_no - 1)),
            delivery=delivery_id,
            attempt=attempt_no + 1,
        )
    channel_id = channel.pk
    transaction.on_commit(lambda: _hand_over(channel_id, delivery_id, attempt_no))


def _hand_over(channel_id, delivery_id, attempt_no):
    if not outbox.submit(channel_id, delivery_id, attempt_no):
        # The lane is full (its gateway is slow or down): this attempt counts as
        # failed; the retry armed above tries again later.
        _record(delivery_id, attempt_no, _("发送队列已满"))


def send(delivery_id, attempt_no):
    """Post the delivery (in a lane thread, outside any transaction) and record the outcome."""
    delivery = Delivery.objects.select_related("channel").filter(pk=delivery_id).first()
    if delivery is None or delivery.status != Delivery.Status.PENDING or not delivery.channel.enabled:
        return
    channel = delivery.channel
    error, refused = "", False
    try:
        data = json.dumps(KINDS[channel.kind].body(delivery), ensure_ascii=False).encode()
        body = post(channel.url, data, channel.headers or {}, channel.timeout_seconds)
        error = _gateway_error(body)
    except RefusedError as exc:
        error, refused = str(exc), True
    except urllib.error.HTTPError as exc:
        error = f"HTTP {exc.code}"
    except Exception as exc:  # noqa: BLE001 - any failure is recorded and retried
        error = f"{exc.__class__.__name__}: {exc}"[:500]
    _record(delivery_id, attempt_no, error, final=refused)


def _record(delivery_id, attempt_no, error, final=False):
    with transaction.atomic():
        delivery = Delivery.objects.select_for_update().select_related("channel").filter(pk=delivery_id).first()
        if delivery is None or delivery.status != Delivery.Status.PENDING:
            return
        channel = delivery.channel
        delivery.attempts = max(delivery.attempts, attempt_no)
        if not error:
            delivery.status, delivery.sent_at, delivery.last_error = Delivery.Status.SENT, timezone.now(), ""
        else:
            delivery.last_error = error[:500]
            if final or attempt_no >= channel.max_attempts:
                delivery.status = Delivery.Status.FAILED
            log.warning("delivery %s attempt %s failed: %s", delivery_id, attempt_no, error)
        if delivery.status != Delivery.Status.PENDING:
            cancel_keys(Q(kind=T_DELIVERY, key__in=_timer_keys([delivery_id])))
        delivery.save(update_fields=["attempts", "status", "sent_at", "last_error"])


def _timer_keys(delivery_ids):
    return [f"delivery:{pk}:{n}" for pk in delivery_ids for n in range(1, MAX_ATTEMPTS_EVER + 1)]


# --- disabling a channel ---------------------------------------------------------------


def channel_saved(channel, actor=None):
    """Call after a channel is saved (API, admin): a disabled channel's queued
    deliveries are cancelled. Returns how many."""
    if channel.enabled:
        return 0
    with transaction.atomic():
        pending = Delivery.objects.select_for_update().filter(channel=channel, status=Delivery.Status.PENDING)
        cancelled = _cancel(pending, channel, actor, timezone.now())
    transaction.on_commit(lambda: outbox.discard(channel.pk))
    return cancelled


def remove_channel(channel, actor=None):
    """Delete a channel, unless it was used: deliveries are history, so a used channel
    is disabled instead (its queued deliveries cancelled, as channel_saved does)."""
    if not channel.deliveries.exists():
        channel.delete()
        return
    with transaction.atomic():
        channel.enabled = False
        channel.save(update_fields=["enabled"])
        channel_saved(channel, actor)


def _cancel(pending, channel, actor, now):
    ids = list(pending.values_list("pk", flat=True))
    for start in range(0, len(ids), 40):
        chunk = ids[start : start + 40]
        Delivery.objects.filter(pk__in=chunk, status=Delivery.Status.PENDING).update(
            status=Delivery.Status.CANCELLED,
            cancelled_at=now,
            cancelled_by=actor,
            last_error=_("渠道已停用，未发送"),
        )
        cancel_keys(Q(kind=T_DELIVERY, key__in=_timer_keys(chunk)))
    if ids:
        log.info("channel %s disabled: %s queued deliveries cancelled", channel.pk, len(ids))
    return len(ids)


# --- the lanes: a bounded queue and threads per channel -------------------------------


class Lane:
    """One channel's sends: at most `threads` at once, at most `size` waiting."""

    def __init__(self, channel_id, threads, size):
        self.queue = queue_module.Queue(maxsize=size)
        for n in range(threads):
            threading.Thread(target=self._run, name=f"notify-{channel_id}-{n}", daemon=True).start()

    def _run(self):
        while True:
            delivery_id, attempt_no = self.queue.get()
            try:
                send(delivery_id, attempt_no)
            except Exception:
                log.exception("delivery %s attempt %s could not be recorded", delivery_id, attempt_no)
            finally:
                connections.close_all()  # this thread's own connections
                self.queue.task_done()


class Outbox:
    def __init__(self):
        self.lanes = {}
        self.lock = threading.Lock()

    def submit(self, channel_id, delivery_id, attempt_no):
        with self.lock:
            lane = self.lanes.get(channel_id)
            if lane is None:
                lane = self.lanes[channel_id] = Lane(
                    channel_id, settings.DUTYOPS_NOTIFY_THREADS, settings.DUTYOPS_NOTIFY_QUEUE
                )
        try:
            lane.queue.put_nowait((delivery_id, attempt_no))
        except queue_module.Full:
            return False
        return True

    def discard(self, channel_id):
        """Drop what waits in a channel's lane (sends already under way finish)."""
        lane = self.lanes.get(channel_id)
        dropped = 0
        while lane is not None:
            try:
                lane.queue.get_nowait()
            except queue_module.Empty:
                break
            lane.queue.task_done()
            dropped += 1
        return dropped

    def busy(self):
        return sum(lane.queue.unfinished_tasks for lane in list(self.lanes.values()))

    def wait_idle(self, timeout=30):
        """For tests and benchmarks: wait until every lane has finished its work."""
        deadline = time.monotonic() + timeout
        while self.busy() and time.monotonic() < deadline:
            time.sleep(0.01)
        return not self.busy()


outbox = Outbox()


# --- the allowlist and the guarded request --------------------------------------------


class RefusedError(Exception):
    """The target is not allowed: no request was made."""


def _ip(text):
    try:
        return ipaddress.ip_address(text.strip("[]"))
    except ValueError:
        return None


def is_internal(ip):
    """Loopback, private, link-local (169.254.169.254: cloud metadata), shared,
    reserved, multicast, unspecified: anything that is not a public address."""
    if ip.version == 6 and ip.ipv4_mapped:
        ip = ip.ipv4_mapped
    return not ip.is_global or ip.is_multicast


def _entry_matches(entry, host, port):
    if entry.port and entry.port != port:
        return False
    pattern = entry.host.strip().lower().rstrip(".")
    if pattern.startswith("*."):
        return host.endswith(pattern[1:])
    if "/" in pattern:
        ip = _ip(host)
        try:
            return ip is not None and ip in ipaddress.ip_network(pattern, strict=False)
        except ValueError:
            return False
    if _ip(pattern) is not None and _ip(host) is not None:
        return _ip(pattern) == _ip(host)
    return pattern == host


def _split(url):
    parts = urllib.parse.urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise RefusedError(_("只允许 http/https 地址。"))
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError as exc:
        raise RefusedError(_("端口无效。")) from exc
    return parts.hostname.lower().rstrip("."), port


def allowed_entries(url):
    """The allowlist entries a URL matches; RefusedError when none, or when its host
    is an internal IP address that no matching entry allows."""
    host, port = _split(url)
    entries = [e for e in WebhookTarget.objects.all() if _entry_matches(e, host, port)]
    if not entries:
        raise RefusedError(_("目标 %(host)s:%(port)s 不在通知目标白名单中。") % {"host": host, "port": port})
    ip = _ip(host)
    if ip is not None and is_internal(ip) and not any(e.allow_internal for e in entries):
        raise RefusedError(_("目标 %(ip)s 是本机或内网地址，白名单未允许。") % {"ip": ip})
    return entries


def check_url(url):
    """For the channel's validation: an error message, or "" when the URL is allowed."""
    try:
        allowed_entries(url)
    except RefusedError as exc:
        return str(exc)
    return ""


def _resolve(host, port, allow_internal):
    """The addresses to connect to, every one checked (not only the hostname)."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except socket.gaierror as exc:
        raise OSError(f"cannot resolve {host}: {exc}") from exc
    for *_rest, sockaddr in infos:
        ip = _ip(sockaddr[0].split("%")[0])
        if ip is None or (is_internal(ip) and not allow_internal):
            raise RefusedError(
                _("目标 %(host)s 解析为本机或内网地址 %(ip)s，白名单未允许。") % {"host": host, "ip": sockaddr[0]}
            )
    return infos


def _guarded_connect(allow_internal):
    def create_connection(address, timeout=None, source_address=None, **_kw):
        host, port = address
        last = None
        for family, socktype, proto, _name, sockaddr in _resolve(host, port, allow_internal):
            sock = socket.socket(family, socktype, proto)
            try:
                if timeout is not None:
                    sock.settimeout(timeout)
                sock.connect(sockaddr)  # the checked address itself, never a second lookup
                return sock
            except OSError as exc:
                sock.close()
                last = exc
        raise last or OSError(f"cannot connect to {host}")

    return create_connection


def _opener(allow_internal):
    connect = _guarded_connect(allow_internal)

    class GuardedHTTP(http_client.HTTPConnection):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            self._create_connection = connect

    class GuardedHTTPS(http_client.HTTPSConnection):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            self._create_connection = connect

    class HTTPHandler(urllib.request.HTTPHandler):
        def http_open(self, req):
            return self.do_open(GuardedHTTP, req)

    class HTTPSHandler(urllib.request.HTTPSHandler):
        def https_open(self, req):
            return self.do_open(GuardedHTTPS, req, context=self._context)

    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, req, fp, code, msg, headers, newurl):
            return None  # a 3xx is an answer (HTTP 30x), never a second target

    return urllib.request.build_opener(urllib.request.ProxyHandler({}), HTTPHandler, HTTPSHandler, NoRedirect)


def post(url, data, headers, timeout):
    """POST to an allowed target; the first 4 KB of the answer. RefusedError before any request otherwise."""
    entries = allowed_entries(url)
    request = urllib.request.Request(
        url, data=data, method="POST", headers={"Content-Type": "application/json; charset=utf-8", **headers}
    )
    opener = _opener(any(e.allow_internal for e in entries))
    with opener.open(request, timeout=timeout) as response:
        return response.read(4096)


def _gateway_error(body):
    """WeCom/DingTalk answer 200 with {"errcode": n}; non-zero is a failure."""
    try:
        parsed = json.loads(body or b"{}")
    except ValueError:
        return ""
    if isinstance(parsed, dict) and parsed.get("errcode") not in (None, 0):
        return f"errcode {parsed.get('errcode')}: {parsed.get('errmsg', '')}"[:500]
    return ""
