"""到岗, 查岗 and 脱岗/漏岗: check-in, spot checks, absences."""

import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from dutyops import policy
from dutyops.errors import Conflict, Forbidden, Invalid
from dutyops.models import Department
from realtime.services import emit

from .. import selectors
from ..models import Absence, CheckIn, PostCheck, Shift
from .shifts import EARLY_CHECKIN, role_on


def _office_audience(room):
    """The room itself and the duty offices above it: who hears of an absence."""
    return [room.pk, *(a.pk for a in room.ancestors() if a.kind == Department.Kind.DUTY_OFFICE)]


def _shift_names(shift):
    return {"duty_room_name": shift.duty_room.name, "starts_at": shift.starts_at}


@transaction.atomic
def check_in(shift, person, at=None):
    """到岗. Returns (check_in, created): checking in twice returns the first."""
    at = at or timezone.now()
    shift = Shift.objects.select_related("duty_room", "leader").get(pk=shift.pk)
    if role_on(shift, person) is None:
        raise Invalid({"shift": [_("您不在该班次上，不能签到。")]})
    existing = CheckIn.objects.filter(shift=shift, person=person).first()
    if existing is not None:
        return existing, False
    if at < shift.starts_at - EARLY_CHECKIN:
        raise Invalid({"shift": [_("尚未到接班时间（最早提前 1 小时签到）。")]})
    if at >= shift.ends_at:
        raise Conflict(_("该班次已结束，不能签到。"))
    grace = datetime.timedelta(minutes=selectors.rules_for(shift.duty_room_id).checkin_grace_minutes)
    checkin = CheckIn.objects.create(shift=shift, person=person, at=at, late=at > shift.starts_at + grace)
    emit(
        "duty.checked_in",
        {
            "shift": shift.pk,
            "duty_room": shift.duty_room_id,
            "person": person.pk,
            "person_name": str(person),
            "at": at,
            "late": checkin.late,
            **_shift_names(shift),
        },
        actor=person,
        departments=[shift.duty_room_id],
    )
    return checkin, True


def _emit_absence(absence, actor):
    shift = absence.shift
    emit(
        "absence.recorded",
        {
            "id": absence.pk,
            "kind": absence.kind,
            "shift": shift.pk,
            "duty_room": shift.duty_room_id,
            "person": absence.person_id,
            "person_name": str(absence.person),
            "leader": shift.leader_id,
            "leader_name": str(shift.leader) if shift.leader_id else "",
            "detected_at": absence.detected_at,
            **_shift_names(shift),
        },
        actor=actor,
        departments=_office_audience(shift.duty_room),
    )


def record_missed_checkins(shift_id, deadline, now):
    """The missed check-in timer: everyone on the shift without a check-in by
    `deadline` gets one absence record and one alert event. Idempotent."""
    shift = selectors.shifts_with_people().filter(pk=shift_id).first()
    if shift is None:
        return []
    checked = set(CheckIn.objects.filter(shift=shift, at__lte=deadline).values_list("person_id", flat=True))
    recorded = []
    for person in selectors.people_on(shift):
        if person.pk in checked:
            continue
        absence, created = Absence.objects.get_or_create(
            shift=shift,
            person=person,
            kind=Absence.Kind.MISSED_CHECKIN,
            defaults={"detected_at": now, "note": _("超过到岗宽限时间未签到")},
        )
        if created:
            recorded.append(absence)
    for absence in recorded:
        _emit_absence(absence, None)
    return recorded


@transaction.atomic
def record_post_check(shift, person, answered, actor, method="", note=""):
    """查岗: a spot check (leaders, duty leaders, admins); not answering at post records an absence (脱岗)."""
    if not policy.may(actor, "post_check.write", shift):
        raise Forbidden(_("只有领导、带班领导或管理员可以查岗。"))
    shift = Shift.objects.select_related("duty_room", "leader").get(pk=shift.pk)
    now = timezone.now()
    if role_on(shift, person) is None:
        raise Invalid({"person": [_("被查人员不在该班次上。")]})
    if not (shift.starts_at <= now < shift.ends_at):
        raise Conflict(_("只能对正在进行的班次查岗。"))
    check = PostCheck.objects.create(
        shift=shift, person=person, checked_by=actor, at=now, answered=answered, method=method, note=note
    )
    if not answered:
        absence = Absence.objects.create(
            shift=shift,
            person=person,
            kind=Absence.Kind.ABSENT_FROM_POST,
            detected_at=now,
            recorded_by=actor,
            note=note,
        )
        _emit_absence(absence, actor)
        return check
    emit(
        "duty.post_checked",
        {
            "id": check.pk,
            "shift": shift.pk,
            "duty_room": shift.duty_room_id,
            "person": person.pk,
            "answered": True,
            "person_name": str(person),
            "duty_room_name": shift.duty_room.name,
            "checked_by_name": str(actor),
        },
        actor=actor,
        departments=[shift.duty_room_id],
    )
    return check
