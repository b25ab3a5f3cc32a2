"""Writes of the plans domain. Each runs in one transaction and ends with its event.

Registry: create / update (a change to an issued plan makes a new version) /
delete a draft / import. Activation: propose, approve, reject, change level,
terminate; approval sends the level's tasks as alerts. Matching: re-run on
an incident's picture change, emitting plan.matched when the top match
(or the coverage gap) changes.
"""

import logging
import uuid

from django.core.exceptions import ValidationError
from django.db import DatabaseError, IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from alerts.services import close_alerts_for_activation, dispatch_alert
from dutyops import policy
from dutyops.api import as_id
from dutyops.errors import Conflict, Forbidden, Invalid
from dutyops.models import Department
from realtime.services import emit

from . import matching
from .documents import clean_plan, effective_tasks, plan_document
from .models import (
    LEVELS,
    Activation,
    ActivationRequest,
    ActivationTask,
    IncidentMatch,
    Plan,
    PlanVersion,
    RegistryState,
)

log = logging.getLogger(__name__)

LEVEL_CN = matching.LEVEL_CN


def can_approve(person, incident=None):
    """Leaders and duty leaders (and admins) approve activations, level changes, terminations."""
    return policy.may(person, "activation.approve", incident)


def can_propose(person, incident=None):
    return policy.may(person, "activation.propose", incident)


# --- registry --------------------------------------------------------------------


def bump_registry():
    """Invalidate every process's compiled matching cache (called on any plan write)."""
    matching.registry_token.clear()
    token = uuid.uuid4().hex
    if not RegistryState.objects.filter(pk=1).update(token=token, generation=F("generation") + 1):
        try:
            with transaction.atomic():
                RegistryState.objects.create(pk=1, token=token, generation=1)
        except IntegrityError:  # created meanwhile by another writer
            RegistryState.objects.filter(pk=1).update(token=token, generation=F("generation") + 1)


def _plan_data(plan, **extra):
    return {
        "id": plan.pk,
        "code": plan.code,
        "title": plan.title,
        "kind": plan.kind,
        "status": plan.status,
        "category": plan.category,
        "version": plan.version,
        **extra,
    }


@transaction.atomic
def create_plan(cleaned, actor, note=""):
    plan = Plan(**cleaned)
    plan.version = 1
    plan.save()
    PlanVersion.objects.create(
        plan=plan,
        number=1,
        status=plan.status,
        content=plan_document(plan),
        note=note or _("新建"),
        created_by=_who(actor),
    )
    emit("plan.created", _plan_data(plan), actor=actor)
    return plan


def _who(actor):
    return actor if getattr(actor, "is_authenticated", False) else None


@transaction.atomic
def update_plan(plan, cleaned, actor, note=""):
    """Apply a (partial) change. A plan whose current version was issued
    (or retired, or used by an activation) gets a new version; a draft is
    edited in place. No change, no new version."""
    plan = Plan.objects.select_for_update().get(pk=plan.pk)
    before = plan_document(plan)
    old_status = plan.status
    for key, value in cleaned.items():
        setattr(plan, key, value)
    after = plan_document(plan)
    if after == before:
        return plan
    current = plan.versions.filter(number=plan.version).first()
    frozen = (
        current is None
        or current.status != Plan.Status.DRAFT
        or old_status != Plan.Status.DRAFT
        or current.activations.exists()
    )
    if frozen:
        plan.version += 1
        plan.save()
        PlanVersion.objects.create(
            plan=plan, number=plan.version, status=plan.status, content=after, note=note, created_by=_who(actor)
        )
    else:
        plan.save()
        current.status, current.content = plan.status, after
        current.note = note or current.note
        current.created_by = _who(actor) or current.created_by
        current.save(update_fields=["status", "content", "note", "created_by"])
    if old_status != plan.status:
        type_ = {"issued": "plan.issued", "retired": "plan.retired"}.get(plan.status, "plan.updated")
        data = _plan_data(plan, new_version=frozen, from_status=old_status)
    else:
        type_, data = "plan.updated", _plan_data(plan, new_version=frozen)
    emit(type_, data, actor=actor)
    return plan


@transaction.atomic
def delete_plan(plan, actor):
    """Only a plan that was never issued nor used may be deleted; others are retired."""
    plan = Plan.objects.select_for_update().get(pk=plan.pk)
    if plan.versions.exclude(status=Plan.Status.DRAFT).exists() or plan.activations.exists():
        raise Conflict(_("已发布或已启用过的预案不能删除，请改为废止（retired）。"))
    data = _plan_data(plan)
    plan.versions.all().delete()
    plan.delete()
    emit("plan.deleted", data, actor=actor)


def import_document(doc, actor, note=""):
    """Create or update the plan with the document's code. Returns (plan, outcome)
    with outcome in created / updated / unchanged. Raises ValidationError."""
    with transaction.atomic():
        code = doc.get("code") if isinstance(doc, dict) else None
        existing = Plan.objects.filter(code=code).first() if isinstance(code, str) else None
        cleaned = clean_plan(doc, instance=existing)
        if existing is None:
            return create_plan(cleaned, actor, note=note or _("导入")), "created"
        before = plan_document(existing)
        plan = update_plan(existing, cleaned, actor, note=note or _("导入"))
        return plan, ("updated" if plan_document(plan) != before else "unchanged")


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
    request = ActivationRequest.objects.create(
        activation=activation,
        action=ActivationRequest.Action.CHANGE_LEVEL,
        level=level,
        from_level=activation.level,
        reason=reason,
        requested_by=actor,
        requested_at=timezone.now(),
    )
    if can_approve(actor, activation.incident):
        return _apply(activation, request, actor)
    _emit_proposed(activation, request, actor)
    return activation


@transaction.atomic
def terminate(activation, actor, reason=""):
    _require(can_propose(actor, _incident_of(activation)), _("无权提请终止响应。"))
    reason = _reason(reason, required=True)
    activation = _locked_activation(activation)
    if activation.state != Activation.State.ACTIVE:
        raise Conflict(_("只有响应中的预案可以终止。"))
    if activation.requests.filter(state=ActivationRequest.State.PENDING).exists():
        raise Conflict(_("已有待审批的事项，请先审批。"))
    request = ActivationRequest.objects.create(
        activation=activation,
        action=ActivationRequest.Action.TERMINATE,
        from_level=activation.level,
        reason=reason,
        requested_by=actor,
        requested_at=timezone.now(),
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


# --- matching on picture change ------------------------------------------------------


def rematch(incident, actor=None, created=False):
    """Re-run matching for an incident; emit plan.matched only when the top
    match or the coverage-gap flag changed. A coverage gap is an incident no
    specific or department plan fits (the general plan alone, or nothing).
    created: the incident was created in this transaction (nothing to compare).
    Returns the top match or None."""
    return _record_match(incident, *_match(incident), actor=actor, created=created)


def _match(incident):
    """(top match or None, gap, plan.matched data): computing only, no writes.
    The board announces a preferred plan (首选预案) only when one leads alone with the
    subtype known; a tie, or a subtype still unknown, is announced as such."""
    found, facts = matching.rank(incident)
    marks = matching.roles(found, facts, limit=5)
    top = matching.explained(found[0], facts, *marks[0]) if found else None
    gap = not any(m[0].kind != Plan.Kind.GENERAL for m in found)
    base = {
        "incident": incident.pk,
        "gap": gap,
        "category": incident.category,
        "subtype": incident.subtype,
        "subtype_source": getattr(incident, "subtype_source", ""),
        "tied_plans": [m[0].id for m, (role, _r) in zip(found, marks, strict=False) if role == "tied"],
        "possible_plans": [m[0].id for m, (role, _r) in zip(found, marks, strict=False) if role == "possible"],
    }
    if top:
        titles = {m[0].id: m[0].title for m in found[:5]}
        base["tied_titles"] = [titles[p] for p in base["tied_plans"] if p in titles]
        base["possible_titles"] = [titles[p] for p in base["possible_plans"][:3] if p in titles]
        return top, gap, {**base, **top}
    return None, gap, {**base, "plan": None, "level": None, "score": 0, "preferred": False, "reason_codes": []}


def _record_match(incident, top, gap, data, *, actor, created):
    plan_id, level = (top["plan"], top["level"]) if top else (None, "")
    preferred = bool(top and top["preferred"])
    state = None if created else IncidentMatch.objects.select_for_update().filter(incident_id=incident.pk).first()
    if state is not None and (state.plan_id, state.level, state.gap, state.preferred) == (
        plan_id,
        level,
        gap,
        preferred,
    ):
        return top
    values = {"plan_id": plan_id, "level": level, "score": top["score"] if top else 0, "gap": gap}
    values["preferred"] = preferred
    values["matched_at"] = timezone.now()
    if state is None:  # no savepoint needed: the caller holds the incident (new, or locked)
        IncidentMatch.objects.create(incident_id=incident.pk, **values)
    else:
        IncidentMatch.objects.filter(incident_id=incident.pk).update(**values)
    rooms = [d for d in (incident.duty_room_id, incident.transferred_to_id) if d]  # the rooms holding it
    emit("plan.matched", data, actor=actor, incident_id=incident.pk, departments=rooms, new_incident=created)
    return top


def on_picture_changed(sender, incident=None, created=False, **kwargs):
    """incidents.signals.picture_changed receiver. A fault in matching never
    loses the report: it is logged and the incident keeps its last match."""
    if incident is None or incident.pk is None:
        return
    try:
        found = _match(incident)
    except DatabaseError:
        raise  # the transaction is unusable now: the write fails as a whole
    except Exception:  # noqa: BLE001
        log.exception("plan re-matching failed for incident %s", incident.pk)
        return
    # No savepoint (two round trips on every intake): writing one row cannot
    # fail but with the database, and then the write fails as a whole anyway.
    _record_match(incident, *found, actor=kwargs.get("actor"), created=created)


def on_plan_saved(sender, **kwargs):
    if kwargs.get("raw"):
        return
    bump_registry()


# --- files (import_plans / export_plans / seed) ------------------------------------------

PLAN_FILE_SUFFIXES = (".yaml", ".yml", ".json")


class ImportFailedError(Exception):
    """Some files were invalid: {file name: {field path: [messages]}}; nothing was imported."""

    def __init__(self, errors):
        super().__init__(errors)
        self.errors = errors

    def __str__(self):
        lines = []
        for name, fields in self.errors.items():
            lines.append(f"{name}:")
            lines.extend(f"  {field}: {'；'.join(map(str, msgs))}" for field, msgs in fields.items())
        return "\n".join(lines)


def plan_files(paths):
    from pathlib import Path  # noqa: PLC0415

    out = []
    for p in map(Path, paths):
        if p.is_dir():
            out.extend(sorted(f for f in p.iterdir() if f.suffix.lower() in PLAN_FILE_SUFFIXES))
        else:
            out.append(p)
    return out


def read_plan_file(path):
    import json  # noqa: PLC0415

    import yaml  # noqa: PLC0415

    text = path.read_text(encoding="utf-8")
    if path.suffix.lower() == ".json":
        return json.loads(text)
    return yaml.safe_load(text)


@transaction.atomic
def import_files(paths, actor=None):
    """Import plan files (one plan per file, YAML or JSON), all or nothing.
    Returns [(file name, plan, outcome)]; raises ImportFailedError with every file's errors."""
    results, errors = [], {}
    for path in plan_files(paths):
        try:
            doc = read_plan_file(path)
        except FileNotFoundError:
            errors[path.name] = {"file": [_("文件不存在。")]}
            continue
        except Exception as exc:  # noqa: BLE001 - any parse error is the file's fault
            errors[path.name] = {"file": [_("无法解析：%(e)s") % {"e": str(exc).splitlines()[0]}]}
            continue
        try:
            with transaction.atomic():
                plan, outcome = import_document(doc, actor, note=_("导入 %(f)s") % {"f": path.name})
        except ValidationError as exc:
            errors[path.name] = exc.message_dict if hasattr(exc, "error_dict") else {"file": exc.messages}
            continue
        results.append((path.name, plan, outcome))
    if errors:
        transaction.set_rollback(True)
        raise ImportFailedError(errors)
    return results
