"""Who is reached: the duty roster (owned by the duty domain) and a department's liaisons."""

from duty.selectors import on_duty
from dutyops.models import Department, Person, Role


def people_on_duty(department_id, at=None):
    """(people, leader) on duty in a duty room at `at`: the leader first, each person
    once, as the roster loaded them (no further queries). ([], None) when nobody is."""
    found = on_duty(department_id, at=at)
    if found is None:
        return [], None
    people = {p.pk: p for p in (found.leader, *found.officers) if p is not None}
    return list(people.values()), found.leader


def _liaisons(department_id):
    return Person.objects.filter(department_id=department_id, is_active=True, groups__name=Role.LIAISON).distinct()


def liaisons(department_id):
    return list(_liaisons(department_id))


def liaison_ids(department_id):
    """Their ids only: an alert records a recipient row for each (a department may have
    hundreds), and needs nothing else of them."""
    return list(_liaisons(department_id).values_list("pk", flat=True))


def duty_office_of(department):
    """The nearest duty office above (or at) a department: whose duty leader hears escalations."""
    if department.kind == Department.Kind.DUTY_OFFICE:
        return department
    for node in department.ancestors():
        if node.kind == Department.Kind.DUTY_OFFICE:
            return node
    return Department.objects.filter(kind=Department.Kind.DUTY_OFFICE, parent__isnull=True).first()


def is_on_duty(person, department_id, at=None):
    people, _leader = people_on_duty(department_id, at=at)
    return any(p.pk == person.pk for p in people)
