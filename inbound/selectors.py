"""Reads of the ways in: sources, warnings (those on the board until they expire)."""

import datetime

from django.db.models import Q
from django.utils import timezone

from .models import CapWarning, Source

# A warning that says nothing of its expiry stays on the board this long after it was sent.
DEFAULT_LIFETIME = datetime.timedelta(hours=24)
MAX_ON_BOARD = 50
SHOWN_STATUSES = (CapWarning.Status.ACTUAL, CapWarning.Status.EXERCISE)
COLOUR_RANK = {"red": 0, "orange": 1, "yellow": 2, "blue": 3, "": 4}


def sources():
    return Source.objects.select_related("duty_room", "created_by")


def warnings():
    return CapWarning.objects.select_related("source", "replaces", "superseded_by", "incident")


def in_force(now=None):
    """Q of the warnings in force at `now`: issued or updated, real or exercise, not yet
    superseded by an update or cancelled, not expired (or, without <expires>, sent
    within DEFAULT_LIFETIME)."""
    now = now or timezone.now()
    return (
        Q(msg_type__in=(CapWarning.MsgType.ALERT, CapWarning.MsgType.UPDATE))
        & Q(status__in=SHOWN_STATUSES)
        & Q(superseded_by__isnull=True)
        & (Q(expires__gt=now) | Q(expires__isnull=True, sent__gt=now - DEFAULT_LIFETIME))
    )


def is_in_force(warning, now=None):
    """The same as in_force(), for one warning in hand."""
    now = now or timezone.now()
    return (
        warning.msg_type in (CapWarning.MsgType.ALERT, CapWarning.MsgType.UPDATE)
        and warning.status in SHOWN_STATUSES
        and warning.superseded_by_id is None
        and (warning.expires > now if warning.expires else warning.sent > now - DEFAULT_LIFETIME)
    )


def active_warnings(now=None):
    """The board's panel: every warning in force, most severe first, then the latest."""
    now = now or timezone.now()
    rows = list(warnings().filter(in_force(now)).order_by("-sent", "-id")[:MAX_ON_BOARD])
    rows.sort(key=lambda w: COLOUR_RANK.get(w.colour, 4))
    return rows


def board_rows(now=None):
    """The panel's rows as plain data (the board snapshot)."""
    now = now or timezone.now()
    return [
        {
            "id": w.pk,
            "event": w.event,
            "headline": w.headline,
            "colour": w.colour,
            "colour_label": w.get_colour_display(),
            "area_desc": w.area_desc,
            "onset": _iso(w.onset),
            "expires": _iso(w.expires or (w.sent + DEFAULT_LIFETIME)),
            "is_drill": w.is_drill,
            "incident": w.incident_id,
        }
        for w in active_warnings(now)
    ]


def _iso(value):
    return timezone.localtime(value).isoformat() if value else None
