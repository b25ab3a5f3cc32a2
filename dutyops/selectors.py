"""Reads of the organisation, filtered by what a person may see (dutyops.policy)."""

from . import policy
from .models import ApiToken, Department, Person
from .models.tokens import digest_of


def people_for(user):
    """People `user` may read ("people.view"): everyone, or those of their department(s)."""
    qs = Person.objects.select_related("department").prefetch_related("groups").order_by("username")
    departments = policy.scope(user, "people.view")
    return qs if departments is None else qs.filter(department_id__in=departments)


def department(pk):
    """The department with id `pk`, or None (also for no id). Unfiltered: the caller asks
    the policy whether the person may read what it holds."""
    return Department.objects.filter(pk=pk).first() if pk is not None else None


def working_departments():
    """Every department but the general duty office, by code: those the office alerts
    and supervises, and a leader names as responsible for an instruction."""
    return Department.objects.exclude(kind=Department.Kind.DUTY_OFFICE).order_by("code")


def token_for_key(key):
    """The API token a presented key stands for, with its owner, or None."""
    return ApiToken.objects.select_related("user").filter(digest=digest_of(key)).first() if key else None
