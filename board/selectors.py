"""Reads for the ops-room board, the leaders' view and the officer's console.

One snapshot, built with a constant number of queries whatever the size of the
history: every list is one indexed query (plus a prefetch) with a hard cap, every
figure one aggregate. The board is the top floor: it reads the domains' models and
selectors directly (the import contract in pyproject.toml allows it).
"""

import datetime

from django.db.models import Count, F, Q
from django.utils import timezone

from alerts.models import Alert
from duty.models import CheckIn
from duty.selectors import duty_log, officers_of, on_duty, shifts_with_people
from dutyops import policy
from dutyops.models import Department
from dutyops.times import local_tz
from inbound.selectors import board_rows
from incidents import selectors as incident_selectors
from incidents.models import Incident, Report, Subtype
from plans.models import ActivationRequest
from realtime.selectors import latest_seq, latest_visible_events
from realtime.wire import envelope

MAX_INCIDENTS = 500  # the board shows every active incident up to this many
MAX_ALERTS = 500
MAX_EVENTS = 40
MAX_APPROVALS = 50
CONSOLE_LOG_LINES = 8

CATEGORY_LABELS = {
    "natural_disaster": "自然灾害",
    "accident_disaster": "事故灾难",
    "public_health": "公共卫生事件",
    "social_security": "社会安全事件",
}
STATUS_LABELS = {
    "received": "已接报",
    "verifying": "核实中",
    "responding": "处置中",
    "stabilised": "已稳控",
    "closed": "已办结",
    "transferred": "已移交",
    "merged": "已合并",
}
ROOM_ORDER = {"duty_office": 0, "district": 1, "department": 2, "township": 3}


def _iso(value):
    return timezone.localtime(value).isoformat() if value else None


def today_bounds(now):
    local = timezone.localtime(now, local_tz())
    start = local.replace(hour=0, minute=0, second=0, microsecond=0)
    return start, start + datetime.timedelta(days=1)


# --- panels -------------------------------------------------------------------


def on_duty_now(now):
    """Every duty room with a shift on now: leader and officers. Two queries."""
    rows = []
    for shift in (
        shifts_with_people().filter(starts_at__lte=now, ends_at__gt=now).order_by("duty_room_id", "-starts_at")
    ):
        if rows and rows[-1]["room_id"] == shift.duty_room_id:
            continue  # overlapping shifts in one room: the latest started wins
        rows.append(
            {
                "room_id": shift.duty_room_id,
                "room": shift.duty_room.name,
                "kind": shift.duty_room.kind,
                "phone": shift.duty_room.phone,
                "shift": shift.pk,
                "starts_at": _iso(shift.starts_at),
                "ends_at": _iso(shift.ends_at),
                "leader": str(shift.leader) if shift.leader_id else None,
                "officers": [str(p) for p in officers_of(shift)],
            }
        )
    rows.sort(key=lambda r: (ROOM_ORDER.get(r["kind"], 9), r["room_id"]))
    return rows


def active_incidents(user):
    """Incidents the board tracks: open or awaiting transfer, gravest first."""
    qs = incident_selectors.active_incidents()
    if policy.scope(user, "incident.view") is not None:
        qs = qs.filter(pk__in=incident_selectors.visible_incidents(user).values("pk"))
    fields = [
        "pk",
        "title",
        "status",
        "category",
        "subtype",
        "grade",
        "is_drill",
        "latitude",
        "longitude",
        "location_text",
        "deaths",
        "injuries",
        "missing",
        "reported_at",
        "next_report_due_at",
        "report_overdue",
        "duty_room__name",
        "possible_duplicates",
        "plan_match__gap",
    ]
    rows = qs.values(*fields)[:MAX_INCIDENTS]
    return [
        {
            "id": r["pk"],
            "title": r["title"],
            "status": r["status"],
            "category": r["category"],
            "subtype": r["subtype"],
            "grade": r["grade"],
            "is_drill": r["is_drill"],
            "latitude": r["latitude"],
            "longitude": r["longitude"],
            "location_text": r["location_text"],
            "deaths": r["deaths"],
            "injuries": r["injuries"],
            "missing": r["missing"],
            "reported_at": _iso(r["reported_at"]),
            "next_report_due_at": _iso(r["next_report_due_at"]),
            "report_overdue": r["report_overdue"],
            "duty_room": r["duty_room__name"],
            "plan_gap": bool(r.get("plan_match__gap")),
            "possible_duplicates": r["possible_duplicates"] or [],
        }
        for r in rows
    ]


def unsigned_alerts(user):
    """Alerts not yet signed for (sent, or overdue before signing), soonest deadline first."""
    qs = policy.visible(
        user, "alert.view", Alert.objects.filter(state__in=["sent", "overdue"], acknowledged_at__isnull=True)
    )
    rows = qs.order_by("ack_due_at", "id").values(
        "pk", "incident_id", "incident__title", "department_id", "department__name", "duty", "state", "ack_due_at"
    )[:MAX_ALERTS]
    return [
        {
            "id": r["pk"],
            "incident": r["incident_id"],
            "incident_title": r["incident__title"],
            "department": r["department_id"],
            "department_name": r["department__name"],
            "duty": r["duty"][:120],
            "state": r["state"],
            "ack_due_at": _iso(r["ack_due_at"]),
        }
        for r in rows
    ]


def figures_today(now):
    """Today's figures (drills never counted): incidents by category and grade,
    reports received, alerts sent and signed on time; `pending` [id, deadline] of
    today's alerts not signed for, `overdue_unsigned` how many of them are late."""
    start, end = today_bounds(now)
    out = {"by_category": {}, "by_grade": {}, "reports": 0, "alerts": 0, "signed": 0, "signed_on_time": 0}
    out.update(pending=[], overdue_unsigned=0)
    today = Incident.objects.filter(is_drill=False, reported_at__gte=start, reported_at__lt=end).exclude(
        status="merged"
    )
    for row in today.values("category", "grade").annotate(n=Count("pk")).order_by():
        out["by_category"][row["category"]] = out["by_category"].get(row["category"], 0) + row["n"]
        key = row["grade"] or ""
        out["by_grade"][key] = out["by_grade"].get(key, 0) + row["n"]
    out["reports"] = Report.objects.filter(is_drill=False, received_at__gte=start, received_at__lt=end).count()
    agg = Alert.objects.filter(incident__is_drill=False, created_at__gte=start, created_at__lt=end).aggregate(
        alerts=Count("pk"),
        signed=Count("pk", filter=Q(acknowledged_at__isnull=False)),
        signed_on_time=Count("pk", filter=Q(acknowledged_at__isnull=False, acknowledged_at__lte=F("ack_due_at"))),
    )
    out.update(agg)
    # Not signed yet: once its deadline passes it counts against the on-time rate
    # at once (the client moves it there when the deadline passes, see board.js).
    pending = Alert.objects.filter(
        incident__is_drill=False, created_at__gte=start, created_at__lt=end, acknowledged_at__isnull=True
    ).exclude(state="closed")
    rows = list(pending.values_list("pk", "ack_due_at")[:MAX_ALERTS])
    out["pending"] = [[pk, _iso(due)] for pk, due in rows]
    out["overdue_unsigned"] = sum(1 for _pk, due in rows if due and due < now)
    return out


def pending_approvals():
    """Plan activations and level changes waiting for a leader's decision."""
    qs = (
        ActivationRequest.objects.filter(state="pending")
        .select_related("activation__plan", "activation__incident", "requested_by")
        .order_by("requested_at", "id")[:MAX_APPROVALS]
    )
    return [
        {
            "id": r.pk,
            "activation": r.activation_id,
            "action": r.action,
            "action_label": r.get_action_display(),
            "level": r.level,
            "from_level": r.from_level,
            "reason": r.reason,
            "plan": r.activation.plan.title,
            "incident": r.activation.incident_id,
            "incident_title": r.activation.incident.title,
            "requested_by": str(r.requested_by),
            "requested_at": _iso(r.requested_at),
        }
        for r in qs
    ]


def snapshot(user, now=None):
    """Everything the board shows, as of one stream position `seq`: a client
    applies events after `seq` on top of it and misses nothing."""
    now = now or timezone.now()
    # Read the position first: anything committed later is replayed from the stream.
    seq = latest_seq()
    office = policy.sees_jurisdiction(user)
    return {
        "seq": seq,
        "now": _iso(now),
        "on_duty": on_duty_now(now) if office else [],
        "incidents": active_incidents(user),
        "alerts": unsigned_alerts(user),
        "figures": figures_today(now) if office else {},
        "approvals": pending_approvals() if office else [],
        "warnings": board_rows(now) if policy.may(user, "warning.view") else [],
        "events": [envelope(e) for e in latest_visible_events(user, MAX_EVENTS)],
        "labels": {"category": CATEGORY_LABELS, "status": STATUS_LABELS},
    }


# --- the officer's console ----------------------------------------------------


def console_context(user, now=None):
    """Links for the officer's desk: the shift on now in their duty room
    (handover, duty log) and the room's daily report."""
    now = now or timezone.now()
    room_id = user.department_id
    if room_id is None:
        room = Department.objects.filter(kind="duty_office").order_by("code").first()
        room_id = room.pk if room else None
    ctx = {"room_id": room_id, "shift": None, "today": timezone.localtime(now, local_tz()).date().isoformat()}
    # For confirming or overriding the subtype the words suggest, right after intake.
    ctx["subtypes"] = list(Subtype.objects.filter(active=True).values("code", "name", "category"))
    current = on_duty(room_id, at=now) if room_id is not None else None
    if current is not None:
        shift = current.shift
        ctx["shift"] = shift
        ctx["leader"] = current.leader
        ctx["officers"] = current.officers
        # The same log the handover page and the daily report show (duty.selectors.duty_log):
        # the shift's own entries and the reports the room took in meanwhile, newest first.
        ctx["log"] = duty_log(shift)[::-1][:CONSOLE_LOG_LINES]
        on_shift = user.pk == shift.leader_id or user.pk in {p.pk for p in current.officers}
        ctx["on_shift"] = on_shift
        ctx["my_checkin"] = CheckIn.objects.filter(shift=shift, person=user).first() if on_shift else None
        ctx["may_log"] = policy.may(user, "dutylog.write", shift)
        ctx["may_handover"] = policy.may(user, "handover.write", shift)
    return ctx
