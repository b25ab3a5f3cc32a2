"""Chasing late alerts (run by the worker through alerts/handlers.py): the deadline
turns an alert overdue; each step reminds or escalates to whoever it reaches then."""

from django.utils.translation import gettext as _

from dutyops.models import Person, Role

from .. import notify, roster
from ..models import Alert, Chase, DepartmentLeader, EscalationStep
from .alerts import _emit, _locked


def _pending(alert, phase, round):
    if alert.state == Alert.State.CLOSED:
        return False
    if phase == EscalationStep.Phase.ACK:
        return alert.acknowledged_at is None
    return alert.feedback_round == round and alert.state != Alert.State.FED_BACK


def deadline_passed(alert_id, phase, round, now):
    """The deadline of a phase passed unanswered: the alert turns overdue."""
    alert = _locked(alert_id)
    if not _pending(alert, phase, round) or alert.state == Alert.State.OVERDUE:
        return False
    alert.state = Alert.State.OVERDUE
    alert.overdue_at = alert.overdue_at or now
    alert.save(update_fields=["state", "overdue_at"])
    _emit(alert, "alert.overdue", phase=phase)
    return True


def _person_target(person, role):
    return {"person": person.pk, "name": str(person), "role": role, "phone": person.phone}


def _targets(alert, action, now):
    """Who a chasing step reaches, resolved at the moment it fires."""
    targets = []
    department = alert.department
    if action == EscalationStep.Action.REMIND:
        people, _leader = roster.people_on_duty(department.pk, at=now)
        targets += [_person_target(p, "on_duty") for p in people]
        targets += [_person_target(p, "liaison") for p in roster.liaisons(department.pk)]
    elif action == EscalationStep.Action.HEAD:
        office = roster.duty_office_of(department)
        units = [u for u in (department.parent, office) if u is not None]
        for unit in dict.fromkeys(units):
            _people, leader = roster.people_on_duty(unit.pk, at=now)
            if leader is not None:
                targets.append(_person_target(leader, "duty_leader"))
            else:  # nobody on the roster: the unit's duty room itself is told
                targets.append({"department": unit.pk, "name": unit.name, "role": "duty_room"})
    else:
        chain = [department, *department.ancestors()]
        overseers = {
            o.department_id: o.leader
            for o in DepartmentLeader.objects.select_related("leader").filter(department__in=chain)
        }
        nearest = next((overseers[u.pk] for u in chain if u.pk in overseers), None)
        if nearest is not None:
            targets.append(_person_target(nearest, "leader"))
        else:
            office = roster.duty_office_of(department)
            for person in Person.objects.filter(groups__name=Role.LEADER, is_active=True, department=office)[:5]:
                targets.append(_person_target(person, "leader"))
    seen, unique = set(), []
    for t in targets:
        if (t.get("person"), t.get("department")) not in seen:
            seen.add((t.get("person"), t.get("department")))
            unique.append(t)
    return unique


def chase_step(alert_id, phase, round, step, action, now):
    """One chasing step fires (once: the Chase row is unique per alert, phase, round and step)."""
    alert = _locked(alert_id)
    if not _pending(alert, phase, round):
        return None
    if Chase.objects.filter(alert=alert, phase=phase, round=round, step=step).exists():
        return None  # already recorded (the Chase unique constraint is the final guard)
    targets = _targets(alert, action, now)
    chase = Chase.objects.create(
        alert=alert, phase=phase, round=round, step=step, action=action, targets=targets, fired_at=now
    )
    what = _("签收") if phase == EscalationStep.Phase.ACK else _("反馈")
    names = "、".join(t["name"] for t in targets) or _("（无人在岗）")
    if action == EscalationStep.Action.REMIND:
        type = "alert.reminded"
        summary = _("催办%(dept)s%(what)s：%(names)s") % {"dept": alert.department.name, "what": what, "names": names}
        notice = "reminded"
    else:
        type = "alert.escalated"
        summary = _("%(dept)s逾期未%(what)s，已升级至：%(names)s") % {
            "dept": alert.department.name,
            "what": what,
            "names": names,
        }
        notice = "escalated"
    people = Person.objects.filter(pk__in=[t["person"] for t in targets if t.get("person")])
    notify.queue(alert, notice, people, f"【{_('催办') if notice == 'reminded' else _('升级督促')}】{summary}")
    _emit(alert, type, phase=phase, step=step, action=action, targets=targets, chase=chase.pk)
    return chase
