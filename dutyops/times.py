"""Times for people: the configured zone (settings.TIME_ZONE), one way to write them.

Stored times are UTC; event payloads carry ISO 8601 strings. Every line a person
reads (event summaries, handover items, exports) formats them here.
"""

import datetime

from django.utils import timezone
from django.utils.dateparse import parse_datetime


def local_tz():
    """The zone times are shown in (settings.TIME_ZONE)."""
    return timezone.get_default_timezone()


def as_datetime(value):
    """A datetime from a datetime or an ISO 8601 string (event data); None stays None."""
    if value is None or isinstance(value, datetime.datetime):
        return value
    return parse_datetime(value)


def local(value):
    """`value` (datetime or ISO string) in the configured zone, or None."""
    value = as_datetime(value)
    if value is None:
        return None
    return timezone.localtime(value, local_tz()) if timezone.is_aware(value) else value


def short(value):
    """Month, day and minute, the way the duty room writes a deadline: 11-23 08:30 ('' for None)."""
    value = local(value)
    return value.strftime("%m-%d %H:%M") if value else ""


def minute(value):
    """Date and minute: 2026-11-23 08:30 ('' for None)."""
    value = local(value)
    return value.strftime("%Y-%m-%d %H:%M") if value else ""
