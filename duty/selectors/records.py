"""The shift's records: handover (with the open items it carries), the duty log, the daily report."""

import datetime
import json

from django.core.serializers.json import DjangoJSONEncoder
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.dates import WEEKDAYS
from django.utils.translation import gettext_lazy

from dutyops.times import local_tz, short

from .. import hooks
from ..models import Absence, CheckIn, DutyLogEntry, Handover, PostCheck
from .roster import calendar_between, day_kind, officers_of, rules_for, shifts_between, shifts_with_people


def open_items_for_handover(duty_room):
    """Open incidents, unanswered alerts and instructions not done, for the
    handover of `duty_room` (a Department): what the domains above register
    (duty.hooks.handover_items). A broken neighbour never stops a handover."""
    items = [dict(item) for found in hooks.handover_items.collect(duty_room) for item in found]
    # Stored in the handover as a JSON snapshot: datetimes become ISO strings.
    return json.loads(json.dumps(items, cls=DjangoJSONEncoder))


OPEN_ITEM_KINDS = {
    "incident": gettext_lazy("突发事件"),
    "alert": gettext_lazy("通知"),
    "instruction": gettext_lazy("批示"),
    "report_clock": gettext_lazy("报告时限"),
}
LOG_KINDS = dict(DutyLogEntry.Kind.choices)


def display_items(items):
    """Open items for people: the kind in words and the deadline in local time."""
    out = []
    for item in items:
        due = item.get("due_at")
        if isinstance(due, str):
            due = parse_datetime(due)
        out.append(
            {
                **item,
                "kind_label": str(OPEN_ITEM_KINDS.get(item.get("kind"), item.get("kind", ""))),
                "due_text": short(due),
            }
        )
    return out


def handover_of(shift):
    return Handover.objects.select_related("written_by", "signed_by").filter(from_shift=shift).first()


def incoming_shift(shift, handover=None):
    """The shift that takes over, with its people: the one `handover` names, else
    the next shift of the same room."""
    if handover is not None and handover.to_shift_id:
        return shifts_with_people().filter(pk=handover.to_shift_id).first()
    return (
        shifts_with_people()
        .filter(duty_room_id=shift.duty_room_id, starts_at__gt=shift.starts_at)
        .order_by("starts_at")
        .first()
    )


def duty_log(shift):
    """The shift's log, chronological: its own entries, plus what the room
    registered meanwhile elsewhere (the duty office: every report intake, as
    incidents tells through duty.hooks.log_rows)."""
    entries = [
        {
            "source": "log",
            "id": e.pk,
            "kind": e.kind,
            "kind_label": str(LOG_KINDS.get(e.kind, e.kind)),
            "at": e.at,
            "received_at": e.received_at,
            "answered_at": e.answered_at,
            "seconds_to_answer": (e.answered_at - e.received_at).total_seconds()
            if e.received_at and e.answered_at
            else None,
            "text": e.text,
            "caller": e.caller,
            "channel": "",
            "incident": e.incident_id,
            "author": str(e.author),
        }
        for e in DutyLogEntry.objects.filter(shift=shift).select_related("author")
    ]
    for rows in hooks.log_rows.collect(shift.duty_room, shift.starts_at, shift.ends_at):
        entries += rows
    entries.sort(key=lambda e: e["at"])
    return entries


def daily_report(duty_room, day):
    """Everything the printed daily duty report (值班日报) shows for one local day."""
    tz = local_tz()
    rules = rules_for(duty_room.pk)
    start = datetime.datetime.combine(day, rules.handover_time, tz)
    end = start + datetime.timedelta(days=1)
    shifts = list(shifts_between(start, end, duty_room_id=duty_room.pk))
    ids = [s.pk for s in shifts]
    checkins = {}
    for c in CheckIn.objects.filter(shift_id__in=ids).select_related("person"):
        checkins.setdefault(c.shift_id, []).append(c)
    absences = list(Absence.objects.filter(shift_id__in=ids).select_related("person", "shift").order_by("detected_at"))
    post_checks = list(PostCheck.objects.filter(shift_id__in=ids).select_related("person", "checked_by").order_by("at"))
    handovers = {
        h.from_shift_id: h
        for h in Handover.objects.filter(from_shift_id__in=ids).select_related("written_by", "signed_by")
    }
    blocks = []
    all_calls = []
    for s in shifts:
        log_entries = duty_log(s)
        all_calls += [e for e in log_entries if e["kind"] in ("call", "report")]
        blocks.append(
            {
                "shift": s,
                "leader": s.leader,
                "officers": officers_of(s),
                "checkins": checkins.get(s.pk, []),
                "log": log_entries,
                "handover": handovers.get(s.pk),
            }
        )
    # Every call and report counts; answering times only where both times were logged.
    answer_times = sorted(e["seconds_to_answer"] for e in all_calls if e["seconds_to_answer"] is not None)
    calendar = calendar_between(day, day)
    return {
        "duty_room": duty_room,
        "day": day,
        "day_kind": day_kind(day, calendar),
        "weekday": WEEKDAYS[day.weekday()],  # Django's own names: 星期一 / Monday
        "holiday": calendar.get(day),
        "start": start,
        "end": end,
        "blocks": blocks,
        "absences": absences,
        "post_checks": post_checks,
        "calls": len(all_calls),
        "avg_seconds_to_answer": round(sum(answer_times) / len(answer_times), 1) if answer_times else None,
        "max_seconds_to_answer": answer_times[-1] if answer_times else None,
        "open_items": display_items(open_items_for_handover(duty_room)),
        "generated_at": timezone.now(),
    }
