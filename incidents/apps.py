from django.apps import AppConfig
from django.db.models.signals import post_delete, post_save
from django.utils.translation import gettext_lazy as _


class IncidentsConfig(AppConfig):
    name = "incidents"
    verbose_name = _("突发事件")

    def ready(self):
        from .models import ReportPolicy
        from .selectors import policies

        # A policy edit applies to the next report registered in this process.
        post_save.connect(policies.clear, sender=ReportPolicy, dispatch_uid="incidents.policies.save")
        post_delete.connect(policies.clear, sender=ReportPolicy, dispatch_uid="incidents.policies.delete")
