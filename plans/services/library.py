"""The plan library's writes: create, update (a change to an issued plan makes a new
version), delete a draft, import a document or files. Each runs in one transaction and
ends with its event; any write to a plan clears every process's matching cache."""

import uuid

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils.translation import gettext as _

from dutyops.errors import Conflict
from realtime.services import emit

from .. import matching
from ..documents import clean_plan, plan_document
from ..models import (
    Plan,
    PlanVersion,
    RegistryState,
)

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
    with outcome in created / updated / unchanged. Raises errors.Invalid (field messages)."""
    with transaction.atomic():
        code = doc.get("code") if isinstance(doc, dict) else None
        existing = Plan.objects.filter(code=code).first() if isinstance(code, str) else None
        cleaned = clean_plan(doc, instance=existing)
        if existing is None:
            return create_plan(cleaned, actor, note=note or _("导入")), "created"
        before = plan_document(existing)
        plan = update_plan(existing, cleaned, actor, note=note or _("导入"))
        return plan, ("updated" if plan_document(plan) != before else "unchanged")


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
