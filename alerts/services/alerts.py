"""Alerts to departments: dispatch, sign-for, feedback, close, return for more."""

import datetime as dt

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from dutyops import policy, timers
from dutyops.errors import Conflict, Forbidden, Invalid, NotFound
from dutyops.models import Department, Person
from dutyops.times import short
from realtime.services import emit, lock_stream

from .. import notify, roster
from ..models import (
    DEFAULT_ACK_MINUTES,
    DEFAULT_FEEDBACK_MINUTES,
    Alert,
    AlertRecipient,
    EscalationStep,
    Feedback,
)
from ..summaries import closing_reason
from ..timer_keys import cancel_keys

MAX_MINUTES = 60 * 24 * 90

# Used when the administrator has not configured any step for a phase.
DEFAULT_STEPS = {
    EscalationStep.Phase.ACK: [(0, "remind"), (15, "head"), (45, "leader")],
    EscalationStep.Phase.FEEDBACK: [(0, "remind"), (30, "head"), (90, "leader")],
}
MAX_STEPS = 20  # chasing steps per phase; cancelling uses their exact keys

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
    for person_id in roster.liaison_ids(alert.department_id):
        rows.setdefault(
            person_id, AlertRecipient(alert=alert, person_id=person_id, reason=AlertRecipient.Reason.LIAISON)
        )
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


def _close(alert, actor, reason, cause=""):
    """cause: why the system closed it (alerts.summaries.CLOSE_CAUSES), "" when a person
    did. The record keeps the line as written; the event keeps the cause and the words
    given with it (cause_detail), and its `reason` is rendered when read, in the reader's
    language."""
    alert.state = Alert.State.CLOSED
    alert.closed_at = timezone.now()
    alert.closed_by = actor if getattr(actor, "is_authenticated", False) else None
    alert.close_reason = closing_reason(cause, reason)[:500]
    alert.save(update_fields=["state", "closed_at", "closed_by", "close_reason"])
    _cancel_phase(alert, EscalationStep.Phase.ACK)
    _cancel_phase(alert, EscalationStep.Phase.FEEDBACK)
    said = (reason or "")[:500]
    extra = {"cause": cause, "cause_detail": said} if cause else {"reason": said}
    _emit(alert, "alert.closed", actor=actor, **extra)


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
        alert.return_reason = reason[:500]
        alert.save(update_fields=["feedback_round", "feedback_due_at", "state", "return_reason"])
        _schedule_phase(alert, EscalationStep.Phase.FEEDBACK, alert.feedback_due_at, round=alert.feedback_round)
        _emit(alert, "alert.returned", actor=actor, reason=reason[:500], round=alert.feedback_round)
        return alert


@transaction.atomic
def close_alerts_for_activation(activation_id, reason, actor):
    """A terminated plan activation closes its open alerts (`reason`: why the response
    ended). Returns how many closed."""
    ids = list(
        Alert.objects.filter(activation_id=getattr(activation_id, "pk", activation_id))
        .exclude(state=Alert.State.CLOSED)
        .values_list("pk", flat=True)
    )
    for pk in ids:
        _close(_locked(pk), actor, reason, cause="plan_terminated")
    return len(ids)
