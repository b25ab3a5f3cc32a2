"""Incident statistics by period (week, month, quarter, year): counts by category,
subtype, grade and district, and over time. Drills are never counted, nor incidents
merged into another (their reports count with the survivor). What a person sees is
what incidents.selectors.visible_incidents() lets them see: the office and leaders
everything, others their own scope.
"""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.db.models import Count
from django.db.models.functions import TruncDate, TruncMonth
from django.utils import timezone

from dutyops.exports import FORMULA_STARTS

from . import selectors
from .models import Category, Grade, Status

PERIODS = ("week", "month", "quarter", "year")
UNKNOWN = "未确定"
NO_DISTRICT = "未定位"
NO_GRADE = "未定级"


@dataclass(frozen=True)
class Period:
    kind: str
    first: date  # first day
    after: date  # the day after the last
    label: str

    def bounds(self):
        tz = timezone.get_current_timezone()
        return (
            datetime.combine(self.first, time.min, tzinfo=tz),
            datetime.combine(self.after, time.min, tzinfo=tz),
        )

    def previous(self):
        return period(self.kind, self.first - timedelta(days=1))

    def next(self):
        return period(self.kind, self.after)


def period(kind, day):
    """The week (Monday first), month, quarter or year containing `day`. ValueError for another kind."""
    if kind == "week":
        first = day - timedelta(days=day.weekday())
        iso = first.isocalendar()
        return Period(kind, first, first + timedelta(days=7), f"{iso.year}-W{iso.week:02d}")
    if kind == "month":
        first = day.replace(day=1)
        after = (first + timedelta(days=32)).replace(day=1)
        return Period(kind, first, after, f"{first:%Y-%m}")
    if kind == "quarter":
        q = (day.month - 1) // 3
        first = date(day.year, 3 * q + 1, 1)
        after = date(day.year + 1, 1, 1) if q == 3 else date(day.year, 3 * q + 4, 1)
        return Period(kind, first, after, f"{day.year}-Q{q + 1}")
    if kind == "year":
        return Period(kind, date(day.year, 1, 1), date(day.year + 1, 1, 1), f"{day.year}")
    raise ValueError(kind)


def counted(user, p):
    """The incidents of the period that count: visible to the user, not drills, not merged."""
    start, end = p.bounds()
    return (
        selectors.visible_incidents(user)
        .filter(is_drill=False, reported_at__gte=start, reported_at__lt=end)
        .exclude(status=Status.MERGED)
        .order_by()
    )


def _grouped(qs, field):
    return dict(qs.values_list(field).annotate(n=Count("pk")).order_by())


def figures(user, p):
    """{"period", "label", "from", "to", "total", "by_category", "by_subtype", "by_grade",
    "by_district", "series"}; each breakdown a list of {"key", "label", "count"}."""
    qs = counted(user, p)
    by_category = _grouped(qs, "category")
    subtypes = _grouped(qs, "subtype")
    grades = _grouped(qs, "grade")
    districts = _grouped(qs, "district")
    names = {code: selectors.subtype_name(code) for code in subtypes if code}
    trunc = TruncDate if p.kind in ("week", "month") else TruncMonth
    tz = timezone.get_current_timezone()
    buckets = dict(
        qs.annotate(bucket=trunc("reported_at", tzinfo=tz)).values_list("bucket").annotate(n=Count("pk")).order_by()
    )
    buckets = {(b.date() if isinstance(b, datetime) else b): n for b, n in buckets.items()}
    series = []
    day = p.first
    while day < p.after:
        if p.kind in ("week", "month"):
            series.append({"key": day.isoformat(), "label": f"{day:%m-%d}", "count": buckets.get(day, 0)})
            day += timedelta(days=1)
        else:
            series.append({"key": f"{day:%Y-%m}", "label": f"{day.month}月", "count": buckets.get(day, 0)})
            day = (day + timedelta(days=32)).replace(day=1)
    start, end = p.bounds()
    return {
        "period": p.kind,
        "label": p.label,
        "from": start,
        "to": end,
        "total": sum(by_category.values()),
        "by_category": [
            {"key": c, "label": str(label), "count": by_category.get(c, 0)} for c, label in Category.choices
        ],
        "by_subtype": sorted(
            (
                {"key": code, "label": names.get(code, UNKNOWN) if code else UNKNOWN, "count": n}
                for code, n in subtypes.items()
            ),
            key=lambda r: (-r["count"], r["key"] == "", r["key"]),
        ),
        "by_grade": [{"key": g, "label": str(label), "count": grades.get(g, 0)} for g, label in Grade.choices]
        + [{"key": "", "label": NO_GRADE, "count": grades.get(None, 0)}],
        "by_district": sorted(
            ({"key": d, "label": d or NO_DISTRICT, "count": n} for d, n in districts.items()),
            key=lambda r: (-r["count"], r["key"] == "", r["key"]),
        ),
        "series": series,
    }


# --- export ------------------------------------------------------------------------------

SECTIONS = (
    ("by_category", "分类"),
    ("by_subtype", "事件类型"),
    ("by_grade", "等级"),
    ("by_district", "区县"),
    ("series", "时间"),
)
# Kept for readers of this module; the one helper lives in dutyops/exports.py.
FORMULA_START = FORMULA_STARTS


def export_tables(data):
    """[(sheet title, header, rows)]: one sheet per breakdown; the shared export
    helpers make every text cell safe (dutyops.exports.neutralise)."""
    tables = []
    for key, title in SECTIONS:
        rows = [[r["label"], r["count"]] for r in data[key]]
        tables.append((title, [title, "事件数"], rows))
    return tables
