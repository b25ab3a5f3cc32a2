"""Notification channels: in-app is the event stream itself; outbound channels are data.

A channel kind is a small class that turns a notice into an HTTP request
body. Deliveries are rows written in the alert's own transaction and sent by
the worker (timer kind alerts.delivery) after that commits, so a slow or
broken gateway never blocks or fails the alert; failures are retried with
backoff and every attempt's outcome is recorded.
"""

import datetime as dt
import json
import logging
import urllib.error
import urllib.request

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from dutyops import timers

from .models import Delivery, NotificationChannel
from .timer_keys import cancel_keys

log = logging.getLogger(__name__)

T_DELIVERY = "alerts.delivery"
RETRY_BASE_SECONDS = 30


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
    """Timer handler body: arm the next retry, then send after this transaction commits.

    Arming the retry first means a worker that dies mid-send still retries.
    """
    delivery = Delivery.objects.select_for_update().select_related("channel").filter(pk=delivery_id).first()
    if delivery is None or delivery.status != Delivery.Status.PENDING:
        return
    if attempt_no < delivery.channel.max_attempts:
        timers.schedule(
            T_DELIVERY,
            f"delivery:{delivery_id}:{attempt_no + 1}",
            now + dt.timedelta(seconds=RETRY_BASE_SECONDS * 2 ** (attempt_no - 1)),
            delivery=delivery_id,
            attempt=attempt_no + 1,
        )
    transaction.on_commit(lambda: send(delivery_id, attempt_no))


def send(delivery_id, attempt_no):
    """Post the delivery (outside any transaction) and record the outcome."""
    delivery = Delivery.objects.select_related("channel").filter(pk=delivery_id).first()
    if delivery is None or delivery.status != Delivery.Status.PENDING:
        return
    channel = delivery.channel
    error = ""
    try:
        data = json.dumps(KINDS[channel.kind].body(delivery), ensure_ascii=False).encode()
        request = urllib.request.Request(
            channel.url,
            data=data,
            method="POST",
            headers={"Content-Type": "application/json; charset=utf-8", **(channel.headers or {})},
        )
        with urllib.request.urlopen(request, timeout=channel.timeout_seconds) as response:  # noqa: S310 - admin-configured
            body = response.read(4096)
        error = _gateway_error(body)
    except urllib.error.HTTPError as exc:
        error = f"HTTP {exc.code}"
    except Exception as exc:  # noqa: BLE001 - any failure is recorded and retried
        error = f"{exc.__class__.__name__}: {exc}"[:500]
    with transaction.atomic():
        delivery = Delivery.objects.select_for_update().get(pk=delivery_id)
        if delivery.status != Delivery.Status.PENDING:
            return
        delivery.attempts = max(delivery.attempts, attempt_no)
        if not error:
            delivery.status, delivery.sent_at, delivery.last_error = Delivery.Status.SENT, timezone.now(), ""
            keys = [f"delivery:{delivery_id}:{n}" for n in range(1, channel.max_attempts + 1)]
            cancel_keys(Q(kind=T_DELIVERY, key__in=keys))
        else:
            delivery.last_error = error
            if attempt_no >= channel.max_attempts:
                delivery.status = Delivery.Status.FAILED
            log.warning("delivery %s attempt %s failed: %s", delivery_id, attempt_no, error)
        delivery.save(update_fields=["attempts", "status", "sent_at", "last_error"])


def _gateway_error(body):
    """WeCom/DingTalk answer 200 with {"errcode": n}; non-zero is a failure."""
    try:
        parsed = json.loads(body or b"{}")
    except ValueError:
        return ""
    if isinstance(parsed, dict) and parsed.get("errcode") not in (None, 0):
        return f"errcode {parsed.get('errcode')}: {parsed.get('errmsg', '')}"[:500]
    return ""
