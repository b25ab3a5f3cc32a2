"""Writes to the organisation. Each records an event (who, when, what)."""

from django.db import transaction

from realtime.services import emit

from .models import Person


def _person_data(person):
    return {
        "id": person.pk,
        "username": person.username,
        "full_name": person.full_name,
        "department": person.department_id,
        "roles": sorted(person.roles),
        "is_active": person.is_active,
    }


@transaction.atomic
def save_department(serializer, actor):
    created = serializer.instance is None
    department = serializer.save()
    emit(
        "department.created" if created else "department.updated",
        {
            "id": department.pk,
            "code": department.code,
            "name": department.name,
            "kind": department.kind,
            "parent": department.parent_id,
        },
        actor=actor,
        departments=[department.pk],
    )
    return department


@transaction.atomic
def delete_department(department, actor):
    data = {"id": department.pk, "code": department.code, "name": department.name}
    department.delete()  # PROTECT on children and people: a 409, never an orphan
    emit("department.deleted", data, actor=actor)


@transaction.atomic
def save_person(serializer, actor):
    created = serializer.instance is None
    data = dict(serializer.validated_data)
    password, roles = data.pop("password", None), data.pop("roles", None)
    person = serializer.instance or Person()
    for field, value in data.items():
        setattr(person, field, value)
    if password:
        person.set_password(password)
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
    person.is_active = False
    person.save(update_fields=["is_active"])
    emit("person.deactivated", _person_data(person), actor=actor)
