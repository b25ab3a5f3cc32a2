from django.apps import AppConfig
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class AccountabilityConfig(AppConfig):
    name = "accountability"
    verbose_name = _("追责与值班纪律")

    def ready(self):
        from dutyops import policy

        from . import summaries  # noqa: F401 - registers how the accountability events read
        from .models import ReportingFinding, StaffError

        # A record belongs to the unit held to account (the person's, for an error).
        for model in (ReportingFinding, StaffError):
            policy.relations.register(
                model,
                departments=lambda record: {record.department_id},
                query=lambda ids: Q(department_id__in=ids),
            )
