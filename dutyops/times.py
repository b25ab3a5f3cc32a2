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


def when(value, seconds=False):
    """How a person reads an instant, on every page and in every message: 12月2日 14:33
    (with seconds: 12月2日 14:33:05); '' for None. The client's twin is fmt.when in
    static/board/live.js; the `when` template filter (dutyops/templatetags/times.py) calls this."""
    value = local(value)
    if value is None:
        return ""
    return f"{value.month}月{value.day}日 {value:%H:%M}" + (f":{value:%S}" if seconds else "")


def countdown(delta):
    """A time left (or past) as a person reads it: 剩 9分42秒, 剩 2小时5分, 超时 3分 (a
    timedelta, or seconds). The client's twin is fmt.countdown in static/board/live.js."""
    seconds = delta.total_seconds() if isinstance(delta, datetime.timedelta) else float(delta)
    late, s = seconds < 0, int(abs(seconds))
    m, h, d = s // 60, s // 3600, s // 86400
    if d >= 2:
        text = f"{d}天{h % 24}小时"
    elif h >= 1:
        text = f"{h}小时{m % 60}分"
    elif late:
        text = f"{m}分" if m else f"{s % 60}秒"
    else:
        text = f"{m}分{s % 60:02d}秒"
    return ("超时 " if late else "剩 ") + text


def short(value):
    """Month, day and minute, the way the duty room writes a deadline: 11月23日 08:30 ('' for None).
    The same as when(): one way to write an instant for people."""
    return when(value)


def minute(value):
    """Date and minute: 2026-11-23 08:30 ('' for None)."""
    value = local(value)
    return value.strftime("%Y-%m-%d %H:%M") if value else ""
