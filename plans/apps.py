from django.apps import AppConfig
from django.db.models.signals import post_delete, post_save
from django.utils.translation import gettext_lazy as _


class PlansConfig(AppConfig):
    name = "plans"
    verbose_name = _("应急预案")

    def ready(self):
        from incidents.models import Subtype

        from . import (
            services,
            summaries,  # noqa: F401 - registers how the plan events read
        )
        from .models import Plan

        # Any plan write (API, admin, import) invalidates the compiled matching
        # caches; so does a subtype's, whose name the match reasons quote.
        for model in (Plan, Subtype):
            name = model.__name__
            post_save.connect(services.on_plan_saved, sender=model, dispatch_uid=f"plans.registry.save.{name}")
            post_delete.connect(services.on_plan_saved, sender=model, dispatch_uid=f"plans.registry.delete.{name}")
        from incidents.signals import picture_changed

        picture_changed.connect(services.on_picture_changed, dispatch_uid="plans.rematch")

        from dutyops import policy

        from .models import Activation

        # An activation is its incident's: held by the rooms holding the incident, seen
        # (not acted on) by the departments following it (dutyops.policy).
        policy.relations.register(
            Activation, departments=lambda a: policy.relations.departments_of(a.incident, holding=True)
        )
        policy.relations.register(
            Activation, departments=lambda a: policy.relations.departments_of(a.incident), follows=True
        )
