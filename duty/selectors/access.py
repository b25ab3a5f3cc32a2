"""What a person may read of the duty domain (dutyops.policy, "duty.view"), and the roster page."""

import datetime

from django.db.models import Q
from django.utils import timezone

from dutyops import policy
from dutyops.models import Department
from dutyops.models.tokens import digest_of

from ..models import Absence, CalendarFeed, Handover, Holiday, Leave, PostCheck, Shift, SwapRequest
from .records import handover_of, incoming_shift, open_items_for_handover
from .roster import (
    calendar_between,
    day_kind,
    local_day_of,
    local_days,
    officers_of,
    on_duty,
    people_on,
    rotations,
    shifts_between,
    shifts_with_people,
)


def shifts_for(user):
    """Shifts `user` may read: every one, or their department's and those they serve on."""
    qs = shifts_with_people().order_by("starts_at", "duty_room_id")
    rooms = policy.scope(user, "duty.view")
    if rooms is None:
        return qs
    return qs.filter(Q(duty_room_id__in=rooms) | Q(leader=user) | Q(officer_links__person=user)).distinct()


def rooms_for(user):
    """Duty rooms `user` may open the roster of, by code."""
    qs = Department.objects.order_by("code")
    rooms = policy.scope(user, "duty.view")
    return list(qs if rooms is None else qs.filter(pk__in=rooms))


def rotations_for(user):
    """Rotations `user` may read: those of the rooms whose roster they may read
    (duty.view): a rotation names the room's people in their turn."""
    return policy.visible(user, "duty.view", rotations())


def may_see_roster(user, department_id):
    """Whether `user` may read the roster (who is on duty, by name) of `department_id`."""
    rooms = policy.scope(user, "duty.view")
    return rooms is None or department_id in rooms


def leaves_for(user):
    """Leaves: every one for those who see the whole roster, else one's own and, for a
    room's duty leader, those of the room's people."""
    qs = Leave.objects.select_related("person").order_by("-starts_on")
    if policy.scope(user, "duty.view") is None:
        return qs
    rooms = policy.scope(user, "roster.write") or ()
    return qs.filter(Q(person=user) | Q(person__department_id__in=rooms))


def absences_for(user):
    qs = Absence.objects.select_related("person", "shift").order_by("-detected_at")
    rooms = policy.scope(user, "duty.view")
    return qs if rooms is None else qs.filter(Q(shift__duty_room_id__in=rooms) | Q(person=user))


def swaps_for(user):
    """Swap requests: every one for those who decide them, else those one is a party to."""
    qs = SwapRequest.objects.select_related("requester", "counterpart", "shift").order_by("-requested_at", "-id")
    rooms = policy.scope(user, "swap.view")
    if rooms is None:
        return qs
    return qs.filter(Q(requester=user) | Q(counterpart=user) | Q(shift__duty_room_id__in=rooms))


def coverage_rooms(user, start, end, room=None):
    """The rooms a coverage check covers: the one asked for, or every room with shifts in [start, end)."""
    if room is not None:
        rooms = [room]
    else:
        rooms = list(
            Shift.objects.filter(starts_at__lt=end, ends_at__gt=start)
            .values_list("duty_room_id", flat=True)
            .distinct()
            .order_by("duty_room_id")
        )
    allowed = policy.scope(user, "duty.view")
    return rooms if allowed is None else [r for r in rooms if r in allowed]


def room_names(ids):
    return dict(Department.objects.filter(pk__in=ids).values_list("pk", "name"))


def post_checks_of(shift):
    return PostCheck.objects.filter(shift=shift).select_related("person", "checked_by").order_by("-at")


def checkins_of(shift):
    return shift.checkins.select_related("person")


def handover_state(shift):
    """The shift's handover, or before it is written an unsaved draft with the open items it would carry."""
    handover = handover_of(shift)
    if handover is None:
        handover = Handover(
            from_shift=shift,
            to_shift=incoming_shift(shift),
            note="",
            open_items=open_items_for_handover(shift.duty_room),
        )
    return handover


def live_feed(token):
    """The calendar feed with this secret token, unless it was revoked or whoever
    made it, or whose shifts it shows, is no longer active (dutyops.credentials
    revokes them too; this also holds for a person deactivated behind its back)."""
    return (
        CalendarFeed.objects.select_related("duty_room", "person")
        .filter(digest=digest_of(token), revoked_at__isnull=True, owner__is_active=True)
        .exclude(person__is_active=False)
        .first()
    )


def feeds_of(user):
    return CalendarFeed.objects.filter(owner=user, revoked_at__isnull=True).order_by("-created_at")


def filter_shifts(qs, room=None, start=None, end=None, person=None):
    """The shifts API's filters: a room, overlap with [start, end), a person on them."""
    if room:
        qs = qs.filter(duty_room_id=room)
    if start:
        qs = qs.filter(ends_at__gt=start)
    if end:
        qs = qs.filter(starts_at__lt=end)
    if person:
        qs = qs.filter(Q(leader_id=person) | Q(officer_links__person_id=person)).distinct()
    return qs


def holidays(year=None):
    """The holiday calendar, of one year when `year` is one (else every year)."""
    qs = Holiday.objects.order_by("date")
    if year and year.isascii() and year.isdecimal() and len(year) <= 4:
        qs = qs.filter(date__year=int(year))
    return qs


# --- the roster page ---------------------------------------------------------------

# How early an officer may check in before the shift starts.
EARLY_CHECKIN = datetime.timedelta(hours=1)


def roster_days(room, first, last):
    """Every local day of [first, last] with its kind, holiday and the room's shifts."""
    start, end = local_days(first, last)
    calendar = calendar_between(first, last)
    by_day = {}
    for s in shifts_between(start, end, duty_room_id=room.pk):
        by_day.setdefault(local_day_of(s), []).append(s)
    today, days, d = timezone.localdate(), [], first
    while d <= last:
        days.append(
            {
                "date": d,
                "kind": day_kind(d, calendar),
                "holiday": calendar.get(d),
                "shifts": [{"shift": s, "officers": officers_of(s)} for s in by_day.get(d, [])],
                "today": d == today,
            }
        )
        d += datetime.timedelta(days=1)
    return days


def my_duty(user, room, now):
    """Who is on in `room` now, whether `user` is on it and checked in, and the next
    shift `user` may check in on (up to EARLY_CHECKIN before it starts)."""
    on = on_duty(room.pk)
    on_shift, my_checkin = False, None
    if on is not None:
        on_shift = user.pk in {p.pk for p in people_on(on.shift)}
        my_checkin = on.shift.checkins.filter(person=user).first()
    upcoming = shifts_between(now, now + EARLY_CHECKIN, person_id=user.pk).exclude(checkins__person=user).first()
    return {"on": on, "on_shift": on_shift, "my_checkin": my_checkin, "upcoming": upcoming}
