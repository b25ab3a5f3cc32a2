"""The one time formatter in templates: `{% load times %}{{ alert.ack_due_at|when }}` gives
12月2日 14:33 in the configured zone (`|when:"s"` adds seconds, `|hm` the time of day only
where the day is plain from the page, `|countdown` 剩 9分42秒 / 超时 3分). dutyops.times does
the work; static/board/live.js fmt is the client's twin."""

from django import template
from django.utils import timezone

from dutyops import times

register = template.Library()


@register.filter
def when(value, arg=""):
    """12月2日 14:33 ('' for None); `|when:"s"`: 12月2日 14:33:05."""
    return times.when(value, seconds=arg == "s")


@register.filter
def hm(value):
    """14:33, for a time whose day the page already says (a shift's log, today's list)."""
    value = times.local(value)
    return value.strftime("%H:%M") if value else ""


@register.filter
def countdown(value):
    """剩 9分42秒 / 超时 3分 from a deadline (datetime) as of now."""
    value = times.as_datetime(value)
    return times.countdown(value - timezone.now()) if value else ""
