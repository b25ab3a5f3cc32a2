"""Query parameters of the API, read one way: bad input is a 400 naming the field
(errors.Invalid), never a 500; times are read in the configured zone."""

import datetime

from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.translation import gettext as _

from .api import as_id
from .errors import Invalid
from .times import local_tz

# Duty times are this century's: far outside it, date arithmetic (a day later,
# local midnight in UTC) overflows, and local time in year 403 has a +08:05:43 offset.
YEARS = range(1970, 2201)


def check_year(name, value):
    if value.year not in YEARS:
        raise Invalid({name: [_("年份超出范围（1970–2200）。")]})


def param_int(params, name, required=True):
    value = params.get(name)
    if value in (None, ""):
        if required:
            raise Invalid({name: [_("该参数是必填项。")]})
        return None
    number = as_id(value)
    if number is None:
        raise Invalid({name: [_("必须是整数编号。")]})
    return number


def param_datetime(params, name, default=None):
    value = params.get(name)
    if value in (None, ""):
        return default
    try:
        parsed = parse_datetime(value.replace(" ", "+")) if "T" in value else None
        if parsed is None:
            day = parse_date(value)
            parsed = datetime.datetime.combine(day, datetime.time()) if day else None
    except ValueError:
        parsed = None
    if parsed is None:
        raise Invalid({name: [_("时间格式无效，请使用 ISO 8601，例如 2026-11-23T08:30:00+08:00。")]})
    if timezone.is_naive(parsed):
        parsed = parsed.replace(tzinfo=local_tz())
    check_year(name, parsed)
    return parsed


def param_date(params, name, default=None):
    value = params.get(name)
    if value in (None, ""):
        return default
    try:
        day = parse_date(value)
    except ValueError:
        day = None
    if day is None:
        raise Invalid({name: [_("日期格式无效，请使用 YYYY-MM-DD。")]})
    check_year(name, day)
    return day


def param_month(params, name="month"):
    value = params.get(name) or timezone.localdate().strftime("%Y-%m")
    try:
        first = datetime.datetime.strptime(value, "%Y-%m").date()
    except ValueError:
        raise Invalid({name: [_("月份格式无效，请使用 YYYY-MM。")]}) from None
    check_year(name, first)
    return first


def param_choice(params, name, choices, default):
    """One of `choices` (e.g. an export format), else a 400 listing them."""
    value = params.get(name, default)
    if value not in choices:
        raise Invalid({name: [_("只支持 %(choices)s。") % {"choices": "、".join(choices)}]})
    return value


def local_times(value):
    """Datetimes in plain dicts rendered like DRF fields render them: local time with offset."""
    if isinstance(value, datetime.datetime):
        return timezone.localtime(value, local_tz()) if timezone.is_aware(value) else value
    if isinstance(value, dict):
        return {k: local_times(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [local_times(v) for v in value]
    return value
