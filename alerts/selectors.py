"""Reads of the alerts domain: visibility, the handover list, the console, performance figures."""

import datetime as dt
import statistics

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from accountability import selectors as accountability
from dutyops import policy
from dutyops import selectors as org
from dutyops.models import Department
from dutyops.times import local_tz
from incidents.models import IncidentClock, Report

from .models import Alert, Delivery, SupervisionCase

OPEN_STATES = (Alert.State.SENT, Alert.State.ACKNOWLEDGED, Alert.State.OVERDUE, Alert.State.FED_BACK)


def alerts_for(user):
    """Alerts a person may see (dutyops.policy, "alert.view"): all, or their department's."""
    qs = Alert.objects.select_related("department", "incident", "acknowledged_by")
    return policy.visible(user, "alert.view", qs)


def cases_for(user):
    """Supervised cases a person may see ("case.view"): all, or those naming their department."""
    qs = SupervisionCase.objects.select_related("responsible_leader").prefetch_related("departments")
    return policy.visible(user, "case.view", qs)


def open_alerts_for(user, limit=300):
    """The office's list: the open alerts `user` may see with their feedback, most urgent first."""
    return list(
        alerts_for(user)
        .exclude(state=Alert.State.CLOSED)
        .prefetch_related("feedback__author")
        .order_by("ack_due_at", "id")[:limit]
    )


def ledger_cases_for(user, limit=200):
    """The supervision ledger: the cases `user` may see, with their entries."""
    return list(cases_for(user).prefetch_related("entries")[:limit])


def alertable_departments():
    """The departments the office may alert and supervise: every one but the duty office, by code."""
    return org.working_departments()


def alerts_to_act_on():
    """Every alert with its department, unfiltered: an action on another department's
    alert is refused by the policy once found (403), not hidden (404)."""
    return Alert.objects.select_related("department")


def all_cases():
    """Every supervised case, unfiltered: a step on a case finds it first (an unknown one
    is a 404), then its service asks the policy (403)."""
    return SupervisionCase.objects.all()


def case_with_departments(pk):
    """A supervised case with its departments, as the API shows it after a step."""
    return SupervisionCase.objects.prefetch_related("departments").get(pk=pk)


def deliveries():
    """Notification deliveries with their channel."""
    return Delivery.objects.select_related("channel")


def figure_departments(user):
    """Whose performance figures `user` may read: None for every department, else the ids."""
    departments = policy.scope(user, "figures.view")
    return None if departments is None else sorted(departments)


def discipline_for(user, start, end):
    """Per-person duty discipline figures (issue 19) of the people `user` may hold to account
    or read the registers of ("accountability.view"): answers over the policy's rings or
    seconds, absences, staff errors, reporting findings."""
    departments = policy.scope(user, "accountability.view")
    if departments is not None and not departments:
        return []
    return accountability.discipline(start, end, departments)


def open_alerts_of_department(department_id):
    """The console list: not closed, most urgent first."""
    return list(
        Alert.objects.select_related("incident", "department", "acknowledged_by")
        .filter(department_id=department_id)
        .exclude(state=Alert.State.CLOSED)
        .order_by("ack_due_at", "id")[:200]
    )


def open_items_for_handover(duty_room_id):
    """Alerts still awaiting sign-for or feedback, for the duty handover.

    For the duty office (which dispatches) that is every unanswered alert; for
    any other duty room, the ones addressed to it.
    """
    qs = Alert.objects.select_related("department").filter(
        state__in=(Alert.State.SENT, Alert.State.ACKNOWLEDGED, Alert.State.OVERDUE)
    )
    room = Department.objects.filter(pk=duty_room_id).only("kind").first()
    if room is None:
        return []
    if room.kind != Department.Kind.DUTY_OFFICE:
        qs = qs.filter(department_id=duty_room_id)
    items = []
    for alert in qs.order_by("ack_due_at", "id")[:500]:
        text = _("待%(dept)s签收：%(duty)s") if alert.acknowledged_at is None else _("待%(dept)s反馈：%(duty)s")
        items.append(
            {
                "kind": "alert",
                "id": alert.pk,
                "title": text % {"dept": alert.department.name, "duty": alert.duty[:60]},
                "due_at": alert.ack_due_at if alert.acknowledged_at is None else alert.feedback_due_at,
            }
        )
    return items


# --- performance figures (考核) -------------------------------------------------


def month_bounds(period):
    """("2026-11") -> [start, end) in local time."""
    year, month = (int(x) for x in period.split("-"))
    start = dt.datetime(year, month, 1, tzinfo=local_tz())
    end = (start + dt.timedelta(days=32)).replace(day=1)
    return start, end


def _pct(part, whole):
    return round(100.0 * part / whole, 1) if whole else None


EMPTY_ROW = {"received": 0, "signed": 0, "on_time": 0, "ack_decided": 0, "fb_on_time": 0, "fb_decided": 0, "overdue": 0}


def performance(start, end, department_ids=None, now=None):
    """Per department, for alerts dispatched in [start, end) on real (not drill) incidents.

    signed_on_time: signed at or before the sign-for deadline, over the alerts
    whose outcome is known (signed, or past the deadline): one still within its
    deadline is neither on time nor late yet.
    fed_back_on_time: first feedback at or before the first feedback deadline, likewise.
    median_minutes_to_sign: over those signed.
    overdue: alerts that passed a deadline unanswered at least once.
    supervision: cases with a deadline in the period naming the department;
    completion rate = completed (or reviewed) by their deadline.
    """
    now = now or timezone.now()
    alerts = Alert.objects.filter(created_at__gte=start, created_at__lt=end, incident__is_drill=False)
    if department_ids is not None:
        alerts = alerts.filter(department_id__in=department_ids)
    rows = {}
    fields = (
        "department_id",
        "created_at",
        "ack_due_at",
        "acknowledged_at",
        "first_feedback_at",
        "first_feedback_due_at",
        "overdue_at",
    )
    for dept, created, ack_due, acked, fed, fed_due, overdue in alerts.values_list(*fields):
        r = rows.setdefault(dept, dict(EMPTY_ROW, m=[]))
        r["received"] += 1
        if acked is not None:
            r["signed"] += 1
            r["m"].append((acked - created).total_seconds() / 60)
            if acked <= ack_due:
                r["on_time"] += 1
        if acked is not None or ack_due <= now:
            r["ack_decided"] += 1
        if fed is not None and fed <= fed_due:
            r["fb_on_time"] += 1
        if fed is not None or fed_due <= now:
            r["fb_decided"] += 1
        if overdue is not None:
            r["overdue"] += 1
    cases = SupervisionCase.objects.filter(deadline__gte=start, deadline__lt=end).filter(
        Q(incident__isnull=True) | Q(incident__is_drill=False)
    )
    case_rows = {}
    for dept, deadline, completed_at in cases.values_list("departments", "deadline", "completed_at"):
        if dept is None or (department_ids is not None and dept not in department_ids):
            continue
        c = case_rows.setdefault(dept, [0, 0])
        c[0] += 1
        if completed_at is not None and completed_at <= deadline:
            c[1] += 1
    ids = set(rows) | set(case_rows)
    names = dict(Department.objects.filter(pk__in=ids).values_list("pk", "name"))
    out = []
    for dept in sorted(ids, key=lambda d: names.get(d, "")):
        r = rows.get(dept, dict(EMPTY_ROW, m=[]))
        total_cases, done_cases = case_rows.get(dept, (0, 0))
        out.append(
            {
                "department": dept,
                "department_name": names.get(dept, ""),
                "alerts_received": r["received"],
                "signed": r["signed"],
                "signed_on_time_pct": _pct(r["on_time"], r["ack_decided"]),
                "median_minutes_to_sign": round(statistics.median(r["m"]), 1) if r["m"] else None,
                "fed_back_on_time_pct": _pct(r["fb_on_time"], r["fb_decided"]),
                "overdue_count": r["overdue"],
                "supervision_cases": total_cases,
                "supervision_completion_pct": _pct(done_cases, total_cases),
            }
        )
    return out


def duty_room_figures(start, end, now=None):
    """The duty office's own figures: time to answer intakes and on-time upward reporting (drills excluded)."""
    now = now or timezone.now()
    reports = Report.objects.filter(received_at__gte=start, received_at__lt=end, is_drill=False)
    waits = [
        (a - r).total_seconds()
        for r, a in reports.filter(answered_at__isnull=False).values_list("received_at", "answered_at")
    ]
    clocks = list(
        IncidentClock.objects.filter(
            due_at__gte=start, due_at__lt=end, incident__is_drill=False, cancelled_at__isnull=True
        ).values_list("due_at", "satisfied_at")
    )
    return {
        "reports": reports.count(),
        "median_seconds_to_answer": round(statistics.median(waits), 1) if waits else None,
        "upward_clocks": len(clocks),
        # A clock not yet due and not yet met is neither on time nor late.
        "upward_on_time_pct": _pct(
            sum(1 for d, s in clocks if s is not None and s <= d),
            sum(1 for d, s in clocks if s is not None or d <= now),
        ),
    }


def circular_text(period, rows, people=None):
    """The circular's body: totals, then praise (all on time) and criticism (overdue)."""
    total = sum(r["alerts_received"] for r in rows)
    overdue = sum(r["overdue_count"] for r in rows)
    praised = [r["department_name"] for r in rows if r["alerts_received"] and r["signed_on_time_pct"] == 100.0]
    criticised = [f"{r['department_name']}（{r['overdue_count']} 件）" for r in rows if r["overdue_count"]]
    lines = [
        f"{period} 预警通知签收反馈情况通报",
        f"本月共下发预警通知 {total} 件，超时 {overdue} 件（演练不计入）。",
        "按时签收率 100% 的单位：" + ("、".join(praised) if praised else "无") + "。",
        "存在超时未签收或未反馈的单位：" + ("、".join(criticised) if criticised else "无") + "。",
    ]
    for r in rows:
        lines.append(
            f"- {r['department_name']}：收到 {r['alerts_received']} 件，按时签收率 {_fmt(r['signed_on_time_pct'])}，"
            f"签收用时中位数 {_fmt(r['median_minutes_to_sign'], ' 分钟')}，按时反馈率 {_fmt(r['fed_back_on_time_pct'])}，"
            f"超时 {r['overdue_count']} 件，督办按期办结率 {_fmt(r['supervision_completion_pct'])}。"
        )
    if people is not None:
        found = accountability.discipline_lines(people)
        lines.append("值班纪律：" + ("" if found else "本月无接听超时、脱岗漏岗、差错和迟报漏报瞒报谎报。"))
        lines.extend(found)
    return "\n".join(lines)


def _fmt(value, unit="%"):
    return "—" if value is None else f"{value:g}{unit}"


def period_from_query(params):
    """?month=YYYY-MM or ?from=YYYY-MM-DD&to=YYYY-MM-DD (inclusive); default: this month.

    Returns (start, end, label) or raises ValueError with a field name.
    """
    month, start_s, end_s = params.get("month"), params.get("from"), params.get("to")
    if month:
        try:
            start, end = month_bounds(month)
        except (ValueError, TypeError, OverflowError):
            raise ValueError("month") from None
        return start, end, month
    if start_s or end_s:
        try:
            first = dt.date.fromisoformat(start_s)
        except (TypeError, ValueError):
            raise ValueError("from") from None
        try:
            last = dt.date.fromisoformat(end_s)
        except (TypeError, ValueError):
            raise ValueError("to") from None
        if last < first or (last - first).days > 366 or last >= dt.date(9999, 12, 1):
            raise ValueError("to")
        tz = local_tz()
        start = dt.datetime.combine(first, dt.time(), tz)
        end = dt.datetime.combine(last + dt.timedelta(days=1), dt.time(), tz)
        return start, end, f"{first}~{last}"
    local = timezone.localtime(timezone.now())
    label = f"{local:%Y-%m}"
    start, end = month_bounds(label)
    return start, end, label
