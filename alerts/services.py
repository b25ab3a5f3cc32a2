"""Writes of the alerts domain. Each runs in one transaction and ends with its event."""

import datetime as dt

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from dutyops import policy, timers
from dutyops.errors import Conflict, Forbidden, Invalid, NotFound
from dutyops.models import Department, Person, Role
from dutyops.times import short
from realtime.services import emit, lock_stream

from . import notify, roster, selectors
from .models import (
    DEFAULT_ACK_MINUTES,
    DEFAULT_FEEDBACK_MINUTES,
    Alert,
    AlertRecipient,
    CaseEntry,
    Chase,
    Circular,
    DepartmentLeader,
    EscalationStep,
    Feedback,
    SupervisionCase,
)
from .timer_keys import cancel_keys

MAX_MINUTES = 60 * 24 * 90

# Used when the administrator has not configured any step for a phase.
DEFAULT_STEPS = {
    EscalationStep.Phase.ACK: [(0, "remind"), (15, "head"), (45, "leader")],
    EscalationStep.Phase.FEEDBACK: [(0, "remind"), (30, "head"), (90, "leader")],
}
MAX_STEPS = 20  # chasing steps per phase; cancelling uses their exact keys
DEFAULT_CASE_HOURS = 72
CASE_REMIND_BEFORE = dt.timedelta(hours=24)

T_DEADLINE = "alerts.deadline"
T_STEP = "alerts.step"
T_CASE_DUE = "alerts.case_due"
T_CASE_RECHECK = "alerts.case_recheck"
T_CIRCULAR = "alerts.circular"


def _minutes(value, default, field):
    if value in (None, ""):
        return default
    try:
        value = int(value)
    except (TypeError, ValueError):
        raise Invalid({field: [_("请输入整数分钟数。")]}) from None
    if not 1 <= value <= MAX_MINUTES:
        raise Invalid({field: [_("时限须在 1 到 %(max)s 分钟之间。") % {"max": MAX_MINUTES}]})
    return value


def policy_steps(phase):
    """[(offset_minutes, action)] of the current policy for a phase."""
    steps = list(
        EscalationStep.objects.filter(phase=phase, active=True)
        .order_by("offset_minutes", "id")
        .values_list("offset_minutes", "action")
    )
    return (steps or list(DEFAULT_STEPS[phase]))[:MAX_STEPS]


def alert_payload(alert, **extra):
    """The thin event body a board or console shows."""
    return {
        "id": alert.pk,
        "incident": alert.incident_id,
        "department": alert.department_id,
        "department_name": alert.department.name,
        "duty": alert.duty[:200],
        "state": alert.state,
        "source": alert.source,
        "ack_due_at": alert.ack_due_at,
        "feedback_due_at": alert.feedback_due_at,
        "acknowledged_at": alert.acknowledged_at,
        **extra,
    }


def _emit(alert, type, actor=None, **extra):
    emit(
        type,
        alert_payload(alert, actor_name=str(actor) if getattr(actor, "is_authenticated", False) else "", **extra),
        actor=actor,
        incident_id=alert.incident_id,
        departments=[alert.department_id],
    )


def _schedule_phase(alert, phase, due_at, round=1):
    """The deadline timer and one timer per chasing step, keyed so each fires once."""
    prefix = f"alert:{alert.pk}:{phase}:{round}:"
    timers.schedule(T_DEADLINE, prefix, due_at, alert=alert.pk, phase=phase, round=round)
    for index, (offset, action) in enumerate(policy_steps(phase), start=1):
        timers.schedule(
            T_STEP,
            f"{prefix}{index}",
            due_at + dt.timedelta(minutes=offset),
            alert=alert.pk,
            phase=phase,
            round=round,
            step=index,
            action=action,
            offset=offset,
        )


def _cancel_phase(alert, phase):
    """Cancel a phase's pending deadline and steps by their exact keys (see timer_keys)."""
    rounds = [1] if phase == EscalationStep.Phase.ACK else range(1, alert.feedback_round + 1)
    prefixes = [f"alert:{alert.pk}:{phase}:{r}:" for r in rounds]
    steps = [f"{p}{i}" for p in prefixes for i in range(1, MAX_STEPS + 1)]
    cancel_keys(Q(kind=T_DEADLINE, key__in=prefixes) | Q(kind=T_STEP, key__in=steps))


def _schedule_circular(now):
    local = timezone.localtime(now)
    first_next = (local.replace(day=1) + dt.timedelta(days=32)).replace(
        day=1, hour=8, minute=0, second=0, microsecond=0
    )
    timers.schedule(T_CIRCULAR, f"{local:%Y-%m}", first_next, period=f"{local:%Y-%m}")


def _record_recipients(alert, now):
    """Whoever is on duty in the department's duty room now, plus its liaisons."""
    rows = {}
    found = roster.on_duty(alert.department_id, at=now)
    if found is not None:
        for person in found.officers:
            rows[person.pk] = AlertRecipient(
                alert=alert, person=person, reason=AlertRecipient.Reason.DUTY_OFFICER, shift_id=found.shift.pk
            )
        if found.leader is not None and found.leader.pk not in rows:
            rows[found.leader.pk] = AlertRecipient(
                alert=alert, person=found.leader, reason=AlertRecipient.Reason.DUTY_LEADER, shift_id=found.shift.pk
            )
    for person in roster.liaisons(alert.department_id):
        rows.setdefault(person.pk, AlertRecipient(alert=alert, person=person, reason=AlertRecipient.Reason.LIAISON))
    AlertRecipient.objects.bulk_create(rows.values())
    return list(rows)


@transaction.atomic
def dispatch_alert(
    *,
    incident,
    department,
    duty,
    ack_minutes=None,
    feedback_minutes=None,
    actor=None,
    activation=None,
    source=Alert.Source.PLAN,
    supervision=None,
    instruction_id=None,
):
    """Send an alert to a department: recipients from the roster, deadlines, chasing timers, notices."""
    duty = (duty or "").strip()
    if not duty:
        raise Invalid({"duty": [_("请填写任务要求。")]})
    if source not in Alert.Source.values:
        raise Invalid({"source": [_("来源无效。")]})
    ack_minutes = _minutes(ack_minutes, DEFAULT_ACK_MINUTES, "ack_minutes")
    # Every alert gets a feedback deadline, even when none was given.
    feedback_minutes = _minutes(feedback_minutes, DEFAULT_FEEDBACK_MINUTES, "feedback_minutes")
    if not isinstance(department, Department):
        department = Department.objects.get(pk=department)
    now = timezone.now()
    feedback_due = now + dt.timedelta(minutes=max(feedback_minutes, ack_minutes))
    alert = Alert.objects.create(
        incident_id=getattr(incident, "pk", incident),
        department=department,
        duty=duty,
        source=source,
        activation_id=getattr(activation, "pk", activation),
        instruction_id=instruction_id,
        supervision=supervision,
        ack_minutes=ack_minutes,
        feedback_minutes=feedback_minutes,
        ack_due_at=now + dt.timedelta(minutes=ack_minutes),
        feedback_due_at=feedback_due,
        first_feedback_due_at=feedback_due,
        created_at=now,
        created_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    recipients = _record_recipients(alert, now)
    _schedule_phase(alert, EscalationStep.Phase.ACK, alert.ack_due_at)
    _schedule_phase(alert, EscalationStep.Phase.FEEDBACK, alert.feedback_due_at)
    _schedule_circular(now)
    text = _("【预警通知】%(dept)s：%(duty)s（请于 %(due)s 前签收）") % {
        "dept": department.name,
        "duty": duty[:120],
        "due": short(alert.ack_due_at),
    }
    notify.queue(alert, "created", Person.objects.filter(pk__in=recipients), text)
    _emit(alert, "alert.created", actor=actor, recipients=recipients)
    return alert


def _locked(alert_id):
    """The alert row, locked for this transaction (a no-op lock on SQLite, whose writes are serial).

    The stream's append lock comes first: emit() holds it until commit, so
    taking it first everywhere gives one lock order (stream, then rows), and a
    sign-for and an escalation of the same alert can never deadlock.
    """
    lock_stream()
    try:
        return Alert.objects.select_for_update().select_related("department").get(pk=getattr(alert_id, "pk", alert_id))
    except Alert.DoesNotExist:
        raise NotFound() from None


def on_duty_for(alert, person):
    """Whether `person` answers for the alert's department from its duty roster: on
    duty in its room now, or reached by the roster when it arrived (may still answer
    after the shift turns). The policy's "party" relation for alerts."""
    if person.department_id != alert.department_id:
        return False
    if roster.is_on_duty(person, alert.department_id):
        return True
    return alert.recipients.filter(person=person).exclude(reason=AlertRecipient.Reason.LIAISON).exists()


def can_act(person, alert):
    """Sign for and feed back ("alert.act"): a liaison of the alert's department, or
    someone on duty for it (on_duty_for); nobody else."""
    return policy.may(person, "alert.act", alert)


def _require_act(person, alert):
    if not can_act(person, alert):
        raise Forbidden(_("只能为本单位签收或反馈。"))


def is_office(person):
    """The office manages alerts, supervision and circulars ("alert.manage")."""
    return policy.may(person, "alert.manage")


def _require_office(person):
    if not is_office(person):
        raise Forbidden(_("只有值班室人员可以执行此操作。"))


def acknowledge(alert_id, actor):
    """Sign for an alert. Returns (alert, created): a second sign-for returns the first."""
    with transaction.atomic():
        alert = _locked(alert_id)
        _require_act(actor, alert)
        if alert.acknowledged_at is not None:
            return alert, False
        if alert.state == Alert.State.CLOSED:
            raise Conflict(_("通知已办结，无需签收。"))
        now = timezone.now()
        alert.acknowledged_at, alert.acknowledged_by = now, actor
        # Still overdue if the feedback deadline has passed too; otherwise signed.
        alert.state = Alert.State.OVERDUE if now > alert.feedback_due_at else Alert.State.ACKNOWLEDGED
        alert.save(update_fields=["acknowledged_at", "acknowledged_by", "state"])
        _cancel_phase(alert, EscalationStep.Phase.ACK)
        _emit(alert, "alert.acknowledged", actor=actor, acknowledged_by=actor.pk, late=now > alert.ack_due_at)
        return alert, True


def add_feedback(alert_id, actor, text, attachments=None):
    text = (text or "").strip()
    if not text:
        raise Invalid({"text": [_("请填写反馈内容。")]})
    attachments = _clean_attachments(attachments)
    with transaction.atomic():
        alert = _locked(alert_id)
        _require_act(actor, alert)
        if alert.state == Alert.State.CLOSED:
            raise Conflict(_("通知已办结，不能再反馈。"))
        if alert.acknowledged_at is None:
            raise Conflict(_("请先签收再反馈。"))
        now = timezone.now()
        feedback = Feedback.objects.create(
            alert=alert, text=text, attachments=attachments, round=alert.feedback_round, author=actor, created_at=now
        )
        alert.first_feedback_at = alert.first_feedback_at or now
        alert.last_feedback_at = now
        alert.state = Alert.State.FED_BACK
        alert.save(update_fields=["first_feedback_at", "last_feedback_at", "state"])
        _cancel_phase(alert, EscalationStep.Phase.FEEDBACK)
        _emit(alert, "alert.fed_back", actor=actor, feedback=feedback.pk, text=text[:200])
        return feedback


def _clean_attachments(attachments):
    if attachments in (None, ""):
        return []
    if not isinstance(attachments, list) or len(attachments) > 20:
        raise Invalid({"attachments": [_("附件信息须为不超过 20 项的列表。")]})
    cleaned = []
    for item in attachments:
        if not isinstance(item, dict) or not str(item.get("name", "")).strip():
            raise Invalid({"attachments": [_("每个附件须有名称（name）。")]})
        size = item.get("size")
        if size is not None and (not isinstance(size, int) or size < 0):
            raise Invalid({"attachments": [_("附件大小须为非负整数。")]})
        cleaned.append({"name": str(item["name"])[:200], "size": size, "ref": str(item.get("ref", ""))[:500]})
    return cleaned


def close_alert(alert_id, actor, reason=""):
    with transaction.atomic():
        alert = _locked(alert_id)
        _require_office(actor)
        if alert.state == Alert.State.CLOSED:
            raise Conflict(_("通知已办结。"))
        _close(alert, actor, reason)
        return alert


def _close(alert, actor, reason):
    alert.state = Alert.State.CLOSED
    alert.closed_at = timezone.now()
    alert.closed_by = actor if getattr(actor, "is_authenticated", False) else None
    alert.close_reason = (reason or "")[:500]
    alert.save(update_fields=["state", "closed_at", "closed_by", "close_reason"])
    _cancel_phase(alert, EscalationStep.Phase.ACK)
    _cancel_phase(alert, EscalationStep.Phase.FEEDBACK)
    _emit(alert, "alert.closed", actor=actor, reason=alert.close_reason)


def return_alert(alert_id, actor, reason, feedback_minutes=None):
    """The office asks for more: a new feedback round with its own deadline and chasing."""
    reason = (reason or "").strip()
    if not reason:
        raise Invalid({"reason": [_("请说明退回原因。")]})
    with transaction.atomic():
        alert = _locked(alert_id)
        _require_office(actor)
        if alert.state != Alert.State.FED_BACK:
            raise Conflict(_("只有已反馈的通知可以退回补充。"))
        minutes = _minutes(feedback_minutes, alert.feedback_minutes, "feedback_minutes")
        alert.feedback_round += 1
        alert.feedback_due_at = timezone.now() + dt.timedelta(minutes=minutes)
        alert.state = Alert.State.ACKNOWLEDGED
        alert.save(update_fields=["feedback_round", "feedback_due_at", "state"])
        _schedule_phase(alert, EscalationStep.Phase.FEEDBACK, alert.feedback_due_at, round=alert.feedback_round)
        _emit(alert, "alert.returned", actor=actor, reason=reason[:500], round=alert.feedback_round)
        return alert


@transaction.atomic
def close_alerts_for_activation(activation_id, reason, actor):
    """A terminated plan activation closes its open alerts. Returns how many closed."""
    ids = list(
        Alert.objects.filter(activation_id=getattr(activation_id, "pk", activation_id))
        .exclude(state=Alert.State.CLOSED)
        .values_list("pk", flat=True)
    )
    for pk in ids:
        _close(_locked(pk), actor, reason)
    return len(ids)


# --- chasing (run by the worker through handlers.py) ---------------------------


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


# --- supervision (督办) -------------------------------------------------------

CASE_FLOW = {
    SupervisionCase.State.REGISTERED: {SupervisionCase.State.ASSIGNED},
    SupervisionCase.State.ASSIGNED: {SupervisionCase.State.IN_PROGRESS, SupervisionCase.State.COMPLETED},
    SupervisionCase.State.IN_PROGRESS: {SupervisionCase.State.COMPLETED},
    SupervisionCase.State.COMPLETED: {SupervisionCase.State.REVIEWED, SupervisionCase.State.IN_PROGRESS},
    SupervisionCase.State.REVIEWED: set(),
}


def _case_emit(case, type, actor=None, **extra):
    departments = sorted(case.departments.values_list("pk", flat=True))
    emit(
        type,
        {
            "id": case.pk,
            "title": case.title,
            "state": case.state,
            "incident": case.incident_id,
            "deadline": case.deadline,
            "departments": departments,
            **extra,
        },
        actor=actor,
        incident_id=case.incident_id,
        departments=departments,
    )


def _entry(case, kind, actor, text="", state_from="", state_to=""):
    return CaseEntry.objects.create(
        case=case,
        kind=kind,
        text=text,
        state_from=state_from,
        state_to=state_to,
        author=actor if getattr(actor, "is_authenticated", False) else None,
        at=timezone.now(),
    )


def _schedule_case(case):
    cancel_keys(Q(kind=T_CASE_DUE, key__in=[f"case:{case.pk}:before", f"case:{case.pk}:due"]))
    timers.reschedule(
        T_CASE_DUE, f"case:{case.pk}:before", case.deadline - CASE_REMIND_BEFORE, case=case.pk, when="before"
    )
    timers.reschedule(T_CASE_DUE, f"case:{case.pk}:due", case.deadline, case=case.pk, when="due")


@transaction.atomic
def open_case(
    *,
    title,
    content,
    deadline=None,
    actor=None,
    incident=None,
    standard="",
    responsible_leader=None,
    departments=(),
    instruction_id=None,
    recheck_at=None,
):
    """Register a supervised case; with departments it is assigned at once (alerts go out)."""
    title, content = (title or "").strip(), (content or "").strip()
    errors = {}
    if not title:
        errors["title"] = [_("请填写标题。")]
    if not content:
        errors["content"] = [_("请填写督办内容。")]
    now = timezone.now()
    deadline = deadline or now + dt.timedelta(hours=DEFAULT_CASE_HOURS)
    if deadline <= now:
        errors["deadline"] = [_("办理时限须晚于现在。")]
    if recheck_at and recheck_at <= deadline:
        errors["recheck_at"] = [_("回头看日期须晚于办理时限。")]
    if errors:
        raise Invalid(errors)
    case = SupervisionCase.objects.create(
        incident=incident,
        instruction_id=instruction_id,
        title=title[:200],
        content=content,
        standard=standard or "",
        responsible_leader=responsible_leader,
        deadline=deadline,
        recheck_at=recheck_at,
        created_at=now,
        created_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    _entry(case, "registered", actor, content, "", case.state)
    _schedule_case(case)
    departments = list(departments)
    if departments:
        _assign(case, departments, actor)
    _case_emit(case, "supervision.created", actor=actor)
    return case


def _assign(case, departments, actor):
    case.departments.add(*departments)
    before = case.state
    case.state = SupervisionCase.State.ASSIGNED
    case.save(update_fields=["state"])
    names = "、".join(d.name for d in departments)
    _entry(case, "assigned", actor, names, before, case.state)
    if case.incident_id is not None:
        minutes = max(1, int((case.deadline - timezone.now()).total_seconds() // 60))
        for department in departments:
            if not Alert.objects.filter(supervision=case, department=department).exists():
                dispatch_alert(
                    incident=case.incident,
                    department=department,
                    duty=_("【督办】%(c)s") % {"c": case.content},
                    ack_minutes=min(DEFAULT_ACK_MINUTES, minutes),
                    feedback_minutes=minutes,
                    actor=actor,
                    source=Alert.Source.INSTRUCTION,
                    supervision=case,
                    instruction_id=case.instruction_id,
                )


def _locked_case(case_id):
    lock_stream()  # before the row lock, as in _locked
    try:
        return SupervisionCase.objects.select_for_update().get(pk=getattr(case_id, "pk", case_id))
    except SupervisionCase.DoesNotExist:
        raise NotFound() from None


def _case_act(actor, case):
    """Office staff drive every case; a responsible department's liaison reports progress on its own."""
    if not policy.may(actor, "case.act", case):
        raise Forbidden(_("只能办理本单位的督办事项。"))


def case_steps(case, person):
    """The steps `person` may take on `case` now, by the rules the steps below
    enforce: the office assigns, reviews and re-checks; the office and the
    responsible departments report progress and complete. (case.departments
    prefetched: no query.)"""
    office = is_office(person)
    handles = office or any(d.pk == person.department_id for d in case.departments.all())
    reachable = CASE_FLOW[case.state]
    steps = set()
    if office and case.state in (SupervisionCase.State.REGISTERED, SupervisionCase.State.ASSIGNED):
        steps.add("assign")
    if handles and SupervisionCase.State.COMPLETED in reachable:
        steps |= {"progress", "complete"}
    if office and SupervisionCase.State.REVIEWED in reachable:
        steps.add("review")
    if office and case.state == SupervisionCase.State.REVIEWED:
        steps.add("recheck")
    return steps


def _move(case, to):
    if to not in CASE_FLOW[case.state]:
        raise Conflict(
            _("督办事项当前为「%(s)s」，不能变为「%(t)s」。")
            % {"s": case.get_state_display(), "t": SupervisionCase.State(to).label}
        )
    before = case.state
    case.state = to
    return before


@transaction.atomic
def assign_case(case_id, actor, departments):
    case = _locked_case(case_id)
    _require_office(actor)
    if not departments:
        raise Invalid({"departments": [_("请选择责任单位。")]})
    if case.state not in (SupervisionCase.State.REGISTERED, SupervisionCase.State.ASSIGNED):
        raise Conflict(_("只有已登记或已交办的事项可以交办。"))
    _assign(case, list(departments), actor)
    _case_emit(case, "supervision.assigned", actor=actor)
    return case


@transaction.atomic
def report_progress(case_id, actor, text):
    """A progress note; the first one moves an assigned case to in_progress."""
    text = (text or "").strip()
    if not text:
        raise Invalid({"text": [_("请填写办理进展。")]})
    case = _locked_case(case_id)
    _case_act(actor, case)
    if case.state in (SupervisionCase.State.REGISTERED, SupervisionCase.State.REVIEWED):
        raise Conflict(_("该督办事项当前不能报送进展。"))
    before = case.state
    if case.state == SupervisionCase.State.ASSIGNED:
        _move(case, SupervisionCase.State.IN_PROGRESS)
        case.save(update_fields=["state"])
    _entry(case, "progress", actor, text, before, case.state)
    _case_emit(case, "supervision.progress", actor=actor, text=text[:60])
    return case


@transaction.atomic
def complete_case(case_id, actor, text):
    text = (text or "").strip()
    if not text:
        raise Invalid({"text": [_("请填写办结情况。")]})
    case = _locked_case(case_id)
    _case_act(actor, case)
    before = _move(case, SupervisionCase.State.COMPLETED)
    case.completed_at = timezone.now()
    case.save(update_fields=["state", "completed_at"])
    cancel_keys(Q(kind=T_CASE_DUE, key__in=[f"case:{case.pk}:before", f"case:{case.pk}:due"]))
    _entry(case, "completed", actor, text, before, case.state)
    _case_emit(case, "supervision.completed", actor=actor, on_time=case.completed_at <= case.deadline)
    return case


@transaction.atomic
def review_case(case_id, actor, text, accepted=True, recheck_at=None):
    """The office reviews a completed case: accept (with a re-check date) or send it back."""
    case = _locked_case(case_id)
    _require_office(actor)
    text = (text or "").strip()
    if recheck_at and case.completed_at and recheck_at <= timezone.now():
        raise Invalid({"recheck_at": [_("回头看日期须晚于现在。")]})
    if accepted:
        before = _move(case, SupervisionCase.State.REVIEWED)
        case.reviewed_at = timezone.now()
        case.recheck_at = recheck_at or case.recheck_at
        case.save(update_fields=["state", "reviewed_at", "recheck_at"])
        if case.recheck_at:
            timers.reschedule(T_CASE_RECHECK, f"case:{case.pk}:recheck", case.recheck_at, case=case.pk)
        _entry(case, "reviewed", actor, text, before, case.state)
    else:
        if not text:
            raise Invalid({"text": [_("请说明退回原因。")]})
        before = _move(case, SupervisionCase.State.IN_PROGRESS)
        case.completed_at = None
        case.save(update_fields=["state", "completed_at"])
        if case.deadline > timezone.now():
            _schedule_case(case)
        _entry(case, "sent_back", actor, text, before, case.state)
    _case_emit(case, "supervision.reviewed", actor=actor, accepted=accepted)
    return case


@transaction.atomic
def record_recheck(case_id, actor, text):
    """回头看: what the later re-check found, added to the ledger."""
    text = (text or "").strip()
    if not text:
        raise Invalid({"text": [_("请填写回头看情况。")]})
    case = _locked_case(case_id)
    _require_office(actor)
    if case.state != SupervisionCase.State.REVIEWED:
        raise Conflict(_("复核通过后才能回头看。"))
    _entry(case, "rechecked", actor, text, case.state, case.state)
    timers.cancel(kind=T_CASE_RECHECK, key=f"case:{case.pk}:recheck")
    _case_emit(case, "supervision.rechecked", actor=actor, text=text[:60])
    return case


def case_timer(case_id, when):
    """Chasing a case: a day before its deadline, and at it."""
    case = _locked_case(case_id)
    if case.state in (SupervisionCase.State.COMPLETED, SupervisionCase.State.REVIEWED):
        return
    if when == "before":
        kind, summary = (
            "reminded",
            _("督办事项将于 %(due)s 到期：%(t)s") % {"due": short(case.deadline), "t": case.title},
        )
    else:
        kind, summary = "overdue", _("督办事项已超期：%(t)s") % {"t": case.title}
    _entry(case, kind, None, summary, case.state, case.state)
    _case_emit(case, f"supervision.{kind}")


def case_recheck_due(case_id):
    case = _locked_case(case_id)
    if case.state != SupervisionCase.State.REVIEWED:
        return
    summary = _("督办事项到回头看日期：%(t)s") % {"t": case.title}
    _entry(case, "recheck_due", None, summary, case.state, case.state)
    _case_emit(case, "supervision.recheck_due")


def open_case_for_instruction(instruction):
    """A leader's instruction becomes a supervised case (督办).

    Responsible leader: the instruction's author. Departments: those with plan
    or manual alerts on the incident. Deadline: DEFAULT_CASE_HOURS.
    """
    if SupervisionCase.objects.filter(instruction_id=instruction.pk).exists():
        return None
    incident = instruction.incident
    departments = Department.objects.filter(
        alerts__incident=incident, alerts__source__in=[Alert.Source.PLAN, Alert.Source.MANUAL]
    ).distinct()
    title = _("领导批示督办：%(t)s") % {"t": incident.title or instruction.text[:40]}
    return open_case(
        title=title,
        content=instruction.text or title,
        actor=instruction.author,
        incident=incident,
        responsible_leader=instruction.author,
        departments=departments,
        instruction_id=instruction.pk,
    )


# --- circulars (通报) ---------------------------------------------------------


@transaction.atomic
def generate_circular(period, actor=None):
    """The month's circular: figures per department, praise and criticism. Generated once."""
    start, end = selectors.month_bounds(period)
    existing = Circular.objects.filter(period=period).first()
    if existing:
        return existing, False
    rows = selectors.performance(start, end)
    text = selectors.circular_text(period, rows)
    circular = Circular.objects.create(
        period=period,
        figures={"from": start.isoformat(), "to": end.isoformat(), "departments": rows},
        text=text,
        generated_at=timezone.now(),
        generated_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    emit("circular.generated", {"id": circular.pk, "period": period}, actor=actor)
    return circular, True
