"""The outbox's sender: the worker posts each link's messages in order, retrying
the head of the queue with backoff until the peer accepts it.

A message is written in the transaction of the change it carries (an upward
report, a sign-for) with a timer due at once (dutyops.timers: durable, fired
exactly once). The timer's handler arms the next retry first, then, after its
commit and outside any transaction, pumps the link: the oldest pending message
is posted; accepted, the next one follows; failed, the pump stops and the armed
retry tries again later. Only one pump runs per link at a time (a lease), so the
peer sees the messages in the order they were queued, each once (the
Idempotency-Key covers an answer lost on the way back).
"""

import datetime as dt
import json
import logging
import urllib.error
import urllib.request

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from dutyops import timers

from . import services, wire
from .models import Link, Outbox

log = logging.getLogger(__name__)

LEASE = dt.timedelta(seconds=60)
# A peer that refuses the message itself (bad data): no retry will change that.
FINAL_STATUSES = {400, 404, 413, 422}


def retry_delay(attempts):
    """Backoff for the head of a queue after `attempts` failures: 1, 2, 4 … s, capped
    (DUTYOPS_CHAIN_RETRY_MAX_SECONDS, default 60: a peer back after an hour
    gets everything within a minute)."""
    cap = float(getattr(settings, "DUTYOPS_CHAIN_RETRY_MAX_SECONDS", 60))
    return dt.timedelta(seconds=min(cap, 2 ** max(0, attempts - 1)))


def handle(link_id, now):
    """Timer handler body (inside the timer's transaction)."""
    link = Link.objects.filter(pk=link_id).first()
    if link is None or not link.active:
        return
    head = Outbox.objects.filter(link_id=link_id, state=Outbox.State.PENDING).order_by("id").first()
    if head is None:
        return
    # Armed first: a worker that dies mid-send still retries.
    due = now + max(retry_delay(head.attempts + 1), dt.timedelta(seconds=1))
    timers.schedule(services.PUMP_TIMER, f"link:{link_id}:retry:{head.pk}:{head.attempts + 1}", due, link=link_id)
    transaction.on_commit(lambda: pump(link_id))


def _lease(link_id):
    """Take (or renew) the link's pump lease: False when another pump holds it."""
    now = timezone.now()
    free = Q(pump_until__isnull=True) | Q(pump_until__lt=now)
    return bool(Link.objects.filter(free, pk=link_id).update(pump_until=now + LEASE))


def _renew(link_id):
    Link.objects.filter(pk=link_id).update(pump_until=timezone.now() + LEASE)


def _release(link_id):
    Link.objects.filter(pk=link_id).update(pump_until=None)


def pump(link_id, limit=500):
    """Post the link's pending messages in order until one fails (outside transactions)."""
    if not _lease(link_id):
        return 0
    sent = 0
    try:
        while sent < limit:
            _renew(link_id)
            link = Link.objects.filter(pk=link_id, active=True).first()
            head = link and Outbox.objects.filter(link=link, state=Outbox.State.PENDING).order_by("id").first()
            if head is None:
                break
            status, answer, error = post(link, head)
            if error is None:
                services.message_accepted(head.pk, answer)
                sent += 1
                continue
            services.message_failed(head.pk, error, final=status in FINAL_STATUSES)
            if status not in FINAL_STATUSES:
                break
    finally:
        _release(link_id)
    return sent


def post(link, message):
    """POST one message: (status, answer, error); error None when accepted."""
    path = wire.REPORTS_PATH if message.kind == Outbox.Kind.REPORT else wire.RECEIPTS_PATH
    url = link.url.rstrip("/") + path
    request = urllib.request.Request(
        url,
        data=json.dumps(message.payload, ensure_ascii=False).encode(),
        method="POST",
        headers={
            "Content-Type": "application/json; charset=utf-8",
            "Accept": "application/json",
            "Authorization": f"Token {link.credential}",
            "Idempotency-Key": message.key,
        },
    )
    timeout = float(getattr(settings, "DUTYOPS_CHAIN_TIMEOUT_SECONDS", 10))
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310 - admin-configured
            body = response.read(65536)
            status = response.status
    except urllib.error.HTTPError as exc:
        body = exc.read(2048)
        if exc.code == 409:  # already received (a repeat after the key's 24 h): accepted
            return exc.code, {}, None
        return exc.code, None, f"HTTP {exc.code}: {body.decode('utf-8', 'replace')[:300]}"
    except Exception as exc:  # noqa: BLE001 - any failure is recorded and retried
        return None, None, f"{exc.__class__.__name__}: {exc}"[:500]
    try:
        answer = json.loads(body or b"{}")
    except ValueError:
        answer = {}
    return status, answer, None
