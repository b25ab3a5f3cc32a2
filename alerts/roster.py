"""Who is reached: the duty roster (owned by the duty domain) read through one adapter."""

from dutyops.models import Department, Person, Role


def _ids(value):
    if value is None:
        return []
    if isinstance(value, (list, tuple, set, frozenset)):
        return [i for v in value for i in _ids(v)]
    if hasattr(value, "all") and callable(value.all):  # a related manager or queryset
        return [p.pk for p in value.all()]
    if isinstance(value, dict):
        return _ids(value.get("id"))
    return [getattr(value, "pk", value)]


def _get(obj, name):
    if obj is None:
        return None
    return obj.get(name) if isinstance(obj, dict) else getattr(obj, name, None)


def on_duty(department_id, at=None):
    """{"shift_id", "leader_id", "officer_ids"} of the shift on now in that duty room, or None."""
    try:
        from dutyops.selectors import on_duty as roster_on_duty
    except ImportError:  # the duty roster is not installed: nobody is on a shift
        return None
    found = roster_on_duty(department_id, at=at)
    if not found:
        return None
    shift = _get(found, "shift")
    leader = _get(found, "leader")
    if leader is None and shift is not None:
        leader = _get(shift, "leader_id") or _get(shift, "leader")
    officers = _get(found, "officers")
    if officers is None and shift is not None:
        officers = _get(shift, "officers")
    shift_ids = _ids(shift) if shift is not None else []
    leader_ids = _ids(leader)
    # The Person objects the roster already loaded, leader first, so callers need no further query.
    loaded = [p for p in ([leader] if leader is not None else []) + list(officers or []) if isinstance(p, Person)]
    return {
        "shift_id": shift_ids[0] if shift_ids else None,
        "leader_id": leader_ids[0] if leader_ids else None,
        "officer_ids": _ids(officers),
        "people": list({p.pk: p for p in loaded}.values()),
    }


def liaisons(department_id):
    return list(
        Person.objects.filter(department_id=department_id, is_active=True, groups__name=Role.LIAISON).distinct()
    )


def duty_office_of(department):
    """The nearest duty office above (or at) a department: whose duty leader hears escalations."""
    if department.kind == Department.Kind.DUTY_OFFICE:
        return department
    for node in department.ancestors():
        if node.kind == Department.Kind.DUTY_OFFICE:
            return node
    return Department.objects.filter(kind=Department.Kind.DUTY_OFFICE, parent__isnull=True).first()


def is_on_duty(person, department_id, at=None):
    found = on_duty(department_id, at=at)
    if not found:
        return False
    return person.pk == found["leader_id"] or person.pk in found["officer_ids"]
