"""Writes of accountability: findings on reports and staff errors, each a record
written once with who decided; a correction is a new record naming the earlier."""

import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from dutyops import policy
from dutyops.errors import Forbidden, Invalid
from realtime.services import emit

from .models import ReportingFinding, StaffError


def _name(person):
    return str(person) if person is not None else ""


def _check_correction(model, corrects, withdrawn):
    if withdrawn and corrects is None:
        raise Invalid({"withdrawn": [_("撤销须指明更正的是哪一条记录。")]})
    if corrects is not None and not isinstance(corrects, model):
        raise Invalid({"corrects": [_("更正的记录不存在。")]})


@transaction.atomic
def record_finding(
    actor,
    *,
    kind,
    department,
    finding,
    person=None,
    incident=None,
    due_at=None,
    reported_at=None,
    decision="",
    corrects=None,
    withdrawn=False,
):
    """迟报/漏报/瞒报/谎报: the finding on a unit (and person), decided by `actor`."""
    if kind not in ReportingFinding.Kind.values:
        raise Invalid({"kind": [_("类型须为迟报、漏报、瞒报或谎报。")]})
    if not (finding or "").strip():
        raise Invalid({"finding": [_("请填写认定情况。")]})
    _check_correction(ReportingFinding, corrects, withdrawn)
    if corrects is not None and corrects.department_id != department.pk:
        raise Invalid({"department": [_("更正须针对原认定的责任单位。")]})
    if not policy.may(actor, "accountability.decide", department):
        raise Forbidden(_("您无权对该单位作出认定。"))
    record = ReportingFinding.objects.create(
        kind=kind,
        department=department,
        person=person,
        incident=incident,
        due_at=due_at,
        reported_at=reported_at,
        finding=finding.strip(),
        decision=(decision or "").strip(),
        corrects=corrects,
        withdrawn=withdrawn,
        decided_by=actor,
        decided_at=timezone.now(),
    )
    emit(
        "finding.recorded",
        {
            "id": record.pk,
            "kind": kind,
            "department": department.pk,
            "department_name": department.name,
            "person": person.pk if person else None,
            "person_name": _name(person),
            "incident": incident.pk if incident else None,
            "corrects": corrects.pk if corrects else None,
            "withdrawn": withdrawn,
            "actor_name": _name(actor),
        },
        actor=actor,
        incident_id=incident.pk if incident else None,
        departments=[department.pk],
    )
    return record


@transaction.atomic
def record_staff_error(
    actor, *, kind, person, description, occurred_at, incident=None, consequence="", corrects=None, withdrawn=False
):
    """差错登记: an error of a person on duty, registered by `actor` (their room's duty leader or above)."""
    if kind not in StaffError.Kind.values:
        raise Invalid({"kind": [_("未知的差错类型。")]})
    if not (description or "").strip():
        raise Invalid({"description": [_("请填写差错情况。")]})
    if occurred_at > timezone.now() + datetime.timedelta(minutes=5):
        raise Invalid({"occurred_at": [_("发生时间不能晚于当前时间。")]})
    _check_correction(StaffError, corrects, withdrawn)
    if corrects is not None and corrects.person_id != person.pk:
        raise Invalid({"person": [_("更正须针对原登记的当事人。")]})
    department = person.department if person.department_id else None
    if department is None or not policy.may(actor, "accountability.decide", department):
        raise Forbidden(_("您无权为该人员登记差错。"))
    record = StaffError.objects.create(
        kind=kind,
        person=person,
        department=department,
        occurred_at=occurred_at,
        incident=incident,
        description=description.strip(),
        consequence=(consequence or "").strip(),
        corrects=corrects,
        withdrawn=withdrawn,
        recorded_by=actor,
        recorded_at=timezone.now(),
    )
    emit(
        "staff_error.recorded",
        {
            "id": record.pk,
            "kind": kind,
            "person": person.pk,
            "person_name": _name(person),
            "department": department.pk,
            "department_name": department.name,
            "corrects": corrects.pk if corrects else None,
            "withdrawn": withdrawn,
            "actor_name": _name(actor),
        },
        actor=actor,
        incident_id=incident.pk if incident else None,
        departments=[department.pk],
    )
    return record
