"""Activation of a plan on an incident: propose, approve, reject, change level, terminate;
approval sends the level's tasks to their departments as alerts. Each runs in one
transaction and ends with its event."""

import logging

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from alerts.services import close_alerts_for_activation, dispatch_alert
from dutyops import policy
from dutyops.api import as_id
from dutyops.errors import Conflict, Forbidden, Invalid
from dutyops.models import Department
from realtime.services import emit

from .. import matching
from ..documents import effective_tasks
from ..models import (
    LEVELS,
    Activation,
    ActivationRequest,
    ActivationTask,
    Plan,
)

log = logging.getLogger(__name__)

log = logging.getLogger(__name__)


LEVEL_CN = matching.LEVEL_CN


def can_approve(person, incident=None):
    """Leaders and duty leaders (and admins) approve activations, level changes, terminations."""
    return policy.may(person, "activation.approve", incident)


def can_propose(person, incident=None):
    return policy.may(person, "activation.propose", incident)


# --- activation ------------------------------------------------------------------


def _require(ok, message):
    if not ok:
        raise Forbidden(message)


def _check_level(value, field="level"):
    if value not in LEVELS:
        raise Invalid({field: [_("响应级别必须是 I、II、III 或 IV。")]})
    return value


def _reason(value, required=False):
    value = (value or "").strip() if isinstance(value, str) else ""
    if required and not value:
        raise Invalid({"reason": [_("请填写理由。")]})
    if len(value) > 500:
        raise Invalid({"reason": [_("理由过长（最多 500 个字符）。")]})
    return value


def _activation_data(activation, actor, **extra):
    plan = activation.plan
    return {
        "activation": activation.pk,
        "incident": activation.incident_id,
        "plan": plan.pk,
        "code": plan.code,
        "title": plan.title,
        "version": activation.plan_version.number,
        "state": activation.state,
        "level": activation.level or None,
        "actor_name": str(actor) if getattr(actor, "is_authenticated", False) else "",
        **extra,
    }


def _version_levels(activation):
    return activation.plan_version.content.get("levels", [])


def _task_departments(activation, level):
    return sorted({t["department"] for t in effective_tasks(_version_levels(activation), level)})


def _incident_of(activation):
    """The incident an activation (or its id) is for: who may act on it depends on it."""
    if isinstance(activation, Activation):
        return activation.incident
    return Activation.objects.select_related("incident").get(pk=activation).incident


def _locked_activation(activation):
    return (
        Activation.objects.select_for_update()
        .select_related("plan", "plan_version", "incident")
        .get(pk=getattr(activation, "pk", activation))
    )


@transaction.atomic
def propose_activation(incident, plan, level, actor, reason=""):
    """A duty officer proposes; a leader or duty leader's proposal is approved at once."""
    _require(can_propose(actor, incident), _("无权提请启动预案。"))
    _check_level(level)
    reason = _reason(reason)
    if not isinstance(plan, Plan):
        plan = Plan.objects.filter(pk=as_id(plan)).first() if as_id(plan) is not None else None
        if plan is None:
            raise Invalid({"plan": [_("预案不存在。")]})
    plan = Plan.objects.select_for_update().get(pk=plan.pk)
    if plan.status != Plan.Status.ISSUED:
        raise Invalid({"plan": [_("只能启动已发布的预案。")]})
    if level not in {lv["level"] for lv in plan.levels}:
        defined = "、".join(lv["level"] for lv in plan.levels)
        raise Invalid({"level": [_("该预案没有 %(l)s 级响应（已定义：%(d)s）。") % {"l": level, "d": defined}]})
    if not getattr(incident, "is_open", True):
        raise Conflict(_("事件已办结或已移交，不能启动预案。"))
    if Activation.objects.filter(incident=incident, plan=plan, state__in=Activation.LIVE_STATES).exists():
        raise Conflict(_("该预案已对本事件提请或启动，请调整级别或终止后再启动。"))
    version = plan.versions.get(number=plan.version)  # the snapshot this response will follow
    now = timezone.now()
    activation = Activation.objects.create(
        incident=incident, plan=plan, plan_version=version, proposed_by=actor, proposed_at=now
    )
    request = ActivationRequest.objects.create(
        activation=activation,
        action=ActivationRequest.Action.ACTIVATE,
        level=level,
        reason=reason,
        requested_by=actor,
        requested_at=now,
    )
    if can_approve(actor, incident):
        return _apply(activation, request, actor, note="")
    _emit_proposed(activation, request, actor)
    return activation


def _emit_proposed(activation, request, actor):
    emit(
        "activation.proposed",
        _activation_data(
            activation,
            actor,
            request=request.pk,
            action=request.action,
            proposed_level=request.level or None,
            reason=request.reason,
        ),
        actor=actor,
        incident_id=activation.incident_id,
    )


def _pending(activation):
    request = activation.requests.filter(state=ActivationRequest.State.PENDING).first()
    if request is None:
        raise Conflict(_("没有待审批的事项。"))
    return request


@transaction.atomic
def approve(activation, actor, note=""):
    _require(can_approve(actor, _incident_of(activation)), _("只有领导或带班领导可以审批。"))
    activation = _locked_activation(activation)
    request = _pending(activation)
    return _apply(activation, request, actor, note=_reason(note))


@transaction.atomic
def reject(activation, actor, note=""):
    _require(can_approve(actor, _incident_of(activation)), _("只有领导或带班领导可以审批。"))
    note = _reason(note)
    activation = _locked_activation(activation)
    request = _pending(activation)
    now = timezone.now()
    request.state, request.decided_by, request.decided_at, request.decision_note = "rejected", actor, now, note
    request.save(update_fields=["state", "decided_by", "decided_at", "decision_note"])
    if request.action == ActivationRequest.Action.ACTIVATE:
        activation.state = Activation.State.REJECTED
        activation.save(update_fields=["state"])
    emit(
        "activation.rejected",
        _activation_data(activation, actor, request=request.pk, action=request.action, note=note),
        actor=actor,
        incident_id=activation.incident_id,
    )
    return activation


@transaction.atomic
def change_level(activation, level, actor, reason=""):
    _require(can_propose(actor, _incident_of(activation)), _("无权提请调整响应级别。"))
    _check_level(level)
    reason = _reason(reason)
    activation = _locked_activation(activation)
    if activation.state != Activation.State.ACTIVE:
        raise Conflict(_("只有响应中的预案可以调整级别。"))
    if activation.requests.filter(state=ActivationRequest.State.PENDING).exists():
        raise Conflict(_("已有待审批的事项，请先审批。"))
    if level == activation.level:
        raise Conflict(_("已是%(l)s响应。") % {"l": LEVEL_CN[level]})
    if level not in {lv["level"] for lv in _version_levels(activation)}:
        raise Invalid({"level": [_("该预案版本没有 %(l)s 级响应。") % {"l": level}]})
    return _request(activation, ActivationRequest.Action.CHANGE_LEVEL, actor, reason, level=level)


@transaction.atomic
def terminate(activation, actor, reason=""):
    _require(can_propose(actor, _incident_of(activation)), _("无权提请终止响应。"))
    reason = _reason(reason, required=True)
    activation = _locked_activation(activation)
    if activation.state != Activation.State.ACTIVE:
        raise Conflict(_("只有响应中的预案可以终止。"))
    if activation.requests.filter(state=ActivationRequest.State.PENDING).exists():
        raise Conflict(_("已有待审批的事项，请先审批。"))
    return _request(activation, ActivationRequest.Action.TERMINATE, actor, reason)


def _request(activation, action, actor, reason, **fields):
    """A change asked for on an active activation: applied at once when the actor may
    approve it, otherwise waiting for a leader's decision (announced as proposed)."""
    request = ActivationRequest.objects.create(
        activation=activation,
        action=action,
        from_level=activation.level,
        reason=reason,
        requested_by=actor,
        requested_at=timezone.now(),
        **fields,
    )
    if can_approve(actor, activation.incident):
        return _apply(activation, request, actor)
    _emit_proposed(activation, request, actor)
    return activation


def _dispatch(activation, level, actor, now):
    """Send the level's tasks not yet sent under this activation; returns the new alerts' ids."""
    sent = set(activation.tasks.values_list("department_id", "duty"))
    tasks = [t for t in effective_tasks(_version_levels(activation), level) if (t["department"], t["duty"]) not in sent]
    departments = Department.objects.in_bulk([t["department"] for t in tasks])
    created = []
    for task in tasks:
        department = departments.get(task["department"])
        if department is None:  # removed from the organisation since the version was issued
            log.warning("activation %s: department %s no longer exists", activation.pk, task["department"])
            continue
        alert = dispatch_alert(
            incident=activation.incident,
            department=department,
            duty=task["duty"],
            ack_minutes=task["ack_minutes"],
            feedback_minutes=task["feedback_minutes"],
            actor=actor,
            activation=activation,
            source="plan",
        )
        ActivationTask.objects.create(
            activation=activation,
            department=department,
            duty=task["duty"],
            ack_minutes=task["ack_minutes"],
            feedback_minutes=task["feedback_minutes"],
            level=level,
            from_level=task["from_level"],
            alert_id=alert.pk,
            dispatched_at=now,
        )
        created.append(alert.pk)
    return created


def _apply(activation, request, actor, note=""):
    """Carry out an approved request (inside the caller's transaction)."""
    now = timezone.now()
    request.state, request.decided_by, request.decided_at, request.decision_note = "approved", actor, now, note
    request.save(update_fields=["state", "decided_by", "decided_at", "decision_note"])
    if request.action == ActivationRequest.Action.ACTIVATE:
        activation.state, activation.level = Activation.State.ACTIVE, request.level
        activation.approved_by, activation.activated_at = actor, now
        activation.save(update_fields=["state", "level", "approved_by", "activated_at"])
        alerts = _dispatch(activation, activation.level, actor, now)
        type_ = "plan.activated"
        extra = {"alerts": alerts}
    elif request.action == ActivationRequest.Action.CHANGE_LEVEL:
        old = activation.level
        activation.level = request.level
        activation.save(update_fields=["level"])
        raised = LEVELS.index(request.level) < LEVELS.index(old)
        # Raising adds only the tasks not yet sent; lowering sends nothing and
        # leaves the alerts already sent to run their course.
        alerts = _dispatch(activation, activation.level, actor, now) if raised else []
        type_ = "plan.level_changed"
        extra = {"from_level": old, "raised": raised, "alerts": alerts}
    else:
        closed = close_alerts_for_activation(activation, request.reason, actor)
        old = activation.level
        activation.state, activation.ended_by, activation.ended_at = Activation.State.TERMINATED, actor, now
        activation.end_reason = request.reason
        activation.save(update_fields=["state", "ended_by", "ended_at", "end_reason"])
        type_ = "plan.terminated"
        extra = {"from_level": old, "closed_alerts": closed, "reason": request.reason}
    emit(
        type_,
        _activation_data(
            activation,
            actor,
            request=request.pk,
            proposed_by=request.requested_by_id,
            approved_by=actor.pk,
            **extra,
        ),
        actor=actor,
        incident_id=activation.incident_id,
        departments=_task_departments(activation, activation.level or request.level or "IV"),
    )
    return activation
