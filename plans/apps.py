from django.apps import AppConfig
from django.db.models.signals import post_delete, post_save
from django.utils.translation import gettext_lazy as _


class PlansConfig(AppConfig):
    name = "plans"
    verbose_name = _("应急预案")

    def ready(self):
        from . import services
        from .models import Plan

        # Any plan write (API, admin, import) invalidates the compiled matching caches.
        post_save.connect(services.on_plan_saved, sender=Plan, dispatch_uid="plans.registry.save")
        post_delete.connect(services.on_plan_saved, sender=Plan, dispatch_uid="plans.registry.delete")
        from incidents.signals import picture_changed

        picture_changed.connect(services.on_picture_changed, dispatch_uid="plans.rematch")
