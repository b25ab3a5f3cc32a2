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

        # So does an edit of the words, the grade rules, the taxonomy or the gazetteer.
        from . import geo, understanding
        from .models import GradeRule, LexiconTerm, Place, Subtype

        for model in (LexiconTerm, GradeRule, Subtype, Place):
            name = model.__name__
            post_save.connect(understanding.forget, sender=model, dispatch_uid=f"incidents.understanding.save.{name}")
            post_delete.connect(understanding.forget, sender=model, dispatch_uid=f"incidents.understanding.del.{name}")
        post_save.connect(geo.gazetteer.clear, sender=Place, dispatch_uid="incidents.gazetteer.save")
        post_delete.connect(geo.gazetteer.clear, sender=Place, dispatch_uid="incidents.gazetteer.delete")
