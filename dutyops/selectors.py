"""Reads of the organisation, filtered by what a person may see (dutyops.policy)."""

from . import policy
from .models import Person


def people_for(user):
    """People `user` may read ("people.view"): everyone, or those of their department(s)."""
    qs = Person.objects.select_related("department").prefetch_related("groups").order_by("username")
    departments = policy.scope(user, "people.view")
    return qs if departments is None else qs.filter(department_id__in=departments)
