import logging

from django.apps import AppConfig
from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

log = logging.getLogger(__name__)


class AlertsConfig(AppConfig):
    name = "alerts"
    verbose_name = _("预警通知与督办")

    def ready(self):
        from incidents.signals import instruction_created

        from . import summaries  # noqa: F401 - registers how the alert events read

        instruction_created.connect(_instruction_to_case, dispatch_uid="alerts.instruction_to_case")
        _tell_the_policy()
        _tell_the_duty_domain()


def _tell_the_policy():
    """How alerts and cases belong to departments, and which departments follow an
    incident through their alerts (dutyops.policy: what each person sees)."""
    from dutyops import policy
    from incidents.models import Incident

    from .models import Alert, SupervisionCase
    from .services import on_duty_for

    policy.relations.register(
        Alert,
        departments=lambda alert: {alert.department_id},
        party=lambda alert, person: on_duty_for(alert, person),
        query=lambda ids: Q(department_id__in=ids),
    )
    policy.relations.register(
        SupervisionCase,
        departments=lambda case: {d.pk for d in case.departments.all()},
        query=lambda ids: Q(
            pk__in=SupervisionCase.departments.through.objects.filter(department_id__in=ids).values(
                "supervisioncase_id"
            )
        ),
    )
    # A department with an alert on an incident sees the incident (and follows its
    # incident-level events), but does not hold it: it never acts on it for that.
    policy.relations.register(
        Incident,
        departments=lambda incident: set(
            Alert.objects.filter(incident=incident).values_list("department_id", flat=True)
        ),
        query=lambda ids: Q(pk__in=Alert.objects.filter(department_id__in=ids).values("incident_id")),
        follows=True,
    )
    policy.incident_followers.register(_followers)


def _followers(incident_ids):
    from .models import Alert

    found = {}
    rows = Alert.objects.filter(incident_id__in=incident_ids).values_list("incident_id", "department_id")
    for incident_id, department_id in rows:
        found.setdefault(incident_id, set()).add(department_id)
    return found


def _tell_the_duty_domain():
    """A duty room's handover carries the alerts still waiting for sign-for or feedback."""
    from duty import hooks

    from .selectors import open_items_for_handover

    hooks.handover_items.register(lambda room: open_items_for_handover(room.pk))


def _instruction_to_case(sender, instruction, departments=(), **kwargs):
    """Every leader instruction opens a supervised case (督办), in the instruction's transaction.

    A failure here is logged and never undoes the instruction itself (savepoint).
    """
    from . import services

    try:
        with transaction.atomic():
            services.open_case_for_instruction(instruction, departments=departments)
    except Exception:
        log.exception("could not open a supervised case for instruction %s", getattr(instruction, "pk", None))
