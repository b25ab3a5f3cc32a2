from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ChainConfig(AppConfig):
    name = "chain"
    verbose_name = _("上下级信息报送")

    def ready(self):
        from incidents import clocks
        from incidents import selectors as incidents

        from . import (
            selectors,
            summaries,  # noqa: F401 - registers how the chain's events read
        )

        # The statutory clocks (incidents, below) are met by the upward reports kept here.
        clocks.upward_reports.register(selectors.upward_sent)
        # The incident page lists them with the phone and written records kept there.
        incidents.upward_rows.register(selectors.page_rows)
        # And what was verified, and the reports from below with their sign-for.
        incidents.page_parts.register(selectors.page_parts)

        from dutyops import policy

        from .models import Inbound, UpwardReport

        # An upward report, and a report from below, is its incident's: held by the rooms
        # holding the incident, seen by those following it (dutyops.policy), as activations are.
        for model in (UpwardReport, Inbound):
            policy.relations.register(
                model, departments=lambda obj: policy.relations.departments_of(obj.incident, holding=True)
            )
            policy.relations.register(
                model, departments=lambda obj: policy.relations.departments_of(obj.incident), follows=True
            )
