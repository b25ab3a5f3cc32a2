"""Writes to the organisation (departments, people). Each records an event (who, when, what)."""

from django.db import transaction
from django.db.models import ProtectedError, Q
from django.utils.translation import gettext as _

from .credentials import acting
from .errors import Conflict
from .models import Person, Role
from .stream import emit


def _person_data(person):
    return {
        "id": person.pk,
        "username": person.username,
        "full_name": person.full_name,
        "department": person.department_id,
        "roles": sorted(person.roles),
        "is_active": person.is_active,
    }


def _department_data(department):
    return {"id": department.pk, "code": department.code, "name": department.name}


@transaction.atomic
def save_department(serializer, actor):
    created = serializer.instance is None
    department = serializer.save()
    emit(
        "department.created" if created else "department.updated",
        {**_department_data(department), "kind": department.kind, "parent": department.parent_id},
        actor=actor,
        departments=[department.pk],
    )
    return department


@transaction.atomic
def delete_department(department, actor):
    data = _department_data(department)
    try:
        department.delete()  # PROTECT on children, people and records: never an orphan
    except ProtectedError:
        raise Conflict(_("该单位仍有下级单位、人员或值班、事件、通知记录，不能删除。")) from None
    emit("department.deleted", data, actor=actor)


def _keep_an_admin(person, actor, *, active, roles):
    """Nobody locks the office out: an admin cannot deactivate themselves, and the
    last active admin can neither be deactivated nor lose the admin role."""
    if person.pk is None or not person.is_active or not (person.is_superuser or person.has_role(Role.ADMIN)):
        return
    if not active and person.pk == getattr(actor, "pk", None):
        raise Conflict(_("不能停用自己的账号。"))
    if active and (person.is_superuser or Role.ADMIN in roles):
        return
    admins = Person.objects.filter(is_active=True).filter(Q(is_superuser=True) | Q(groups__name=Role.ADMIN))
    if not admins.exclude(pk=person.pk).exists():
        raise Conflict(_("这是最后一个管理员账号，不能停用，也不能撤销其管理员角色。"))


@transaction.atomic
def save_person(serializer, actor):
    created = serializer.instance is None
    data = dict(serializer.validated_data)
    password, roles = data.pop("password", None), data.pop("roles", None)
    person = serializer.instance or Person()
    if roles is not None:
        _keep_an_admin(person, actor, active=True, roles=roles)
    for field, value in data.items():
        setattr(person, field, value)
    if password:
        person.set_password(password)
    with acting(actor):  # a new password, department or roles revokes (dutyops.credentials)
        person.save()
        if roles is not None:
            person.set_roles(roles)
    emit(
        "person.created" if created else "person.updated",
        _person_data(person),
        actor=actor,
        departments=[person.department_id] if person.department_id else [],
    )
    return person


@transaction.atomic
def deactivate_person(person, actor):
    """People are never deleted: their names stand in the audit trail."""
    _keep_an_admin(person, actor, active=False, roles=())
    person.is_active = False
    with acting(actor):  # ends their tokens, sessions, sockets and feeds (dutyops.credentials)
        person.save(update_fields=["is_active"])
    emit("person.deactivated", _person_data(person), actor=actor)
