import logging

from django.apps import AppConfig
from django.db import transaction
from django.utils.translation import gettext_lazy as _

log = logging.getLogger(__name__)


class AlertsConfig(AppConfig):
    name = "alerts"
    verbose_name = _("预警通知与督办")

    def ready(self):
        from incidents.signals import instruction_created

        instruction_created.connect(_instruction_to_case, dispatch_uid="alerts.instruction_to_case")


def _instruction_to_case(sender, instruction, **kwargs):
    """Every leader instruction opens a supervised case (督办), in the instruction's transaction.

    A failure here is logged and never undoes the instruction itself (savepoint).
    """
    from . import services

    try:
        with transaction.atomic():
            services.open_case_for_instruction(instruction)
    except Exception:
        log.exception("could not open a supervised case for instruction %s", getattr(instruction, "pk", None))
