from django.apps import AppConfig
from django.db.models import Q
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.utils.translation import gettext_lazy as _


class IncidentsConfig(AppConfig):
    name = "incidents"
    verbose_name = _("突发事件")

    def ready(self):
        from duty import hooks
        from dutyops import policy
        from dutyops.models import Department, Person

        from . import (
            geo,
            selectors,
            summaries,  # noqa: F401 - registers how the incident events read
            understanding,
        )
        from .models import GradeRule, Incident, LexiconTerm, Place, ReportPolicy, Subtype

        # A policy edit applies to the next report registered in this process.
        post_save.connect(selectors.policies.clear, sender=ReportPolicy, dispatch_uid="incidents.policies.save")
        post_delete.connect(selectors.policies.clear, sender=ReportPolicy, dispatch_uid="incidents.policies.delete")
        post_save.connect(selectors.subtype_categories.clear, sender=Subtype, dispatch_uid="incidents.subtypes.save")
        post_delete.connect(
            selectors.subtype_categories.clear, sender=Subtype, dispatch_uid="incidents.subtypes.delete"
        )
        # So does an edit of the words, the grade rules, the taxonomy or the gazetteer.
        for model in (LexiconTerm, GradeRule, Subtype, Place):
            name = model.__name__
            post_save.connect(understanding.forget, sender=model, dispatch_uid=f"incidents.understanding.save.{name}")
            post_delete.connect(understanding.forget, sender=model, dispatch_uid=f"incidents.understanding.del.{name}")
        # Who reads an event naming a room (the possible duplicates it may name) follows the
        # organisation: its departments, their people and their roles.
        from django.contrib.auth.models import Group

        for model in (Department, Person, Group):
            name = model.__name__
            post_save.connect(
                selectors.jurisdiction_wide_rooms.clear, sender=model, dispatch_uid=f"incidents.wide.save.{name}"
            )
            post_delete.connect(
                selectors.jurisdiction_wide_rooms.clear, sender=model, dispatch_uid=f"incidents.wide.delete.{name}"
            )
        m2m_changed.connect(
            selectors.jurisdiction_wide_rooms.clear, sender=Person.groups.through, dispatch_uid="incidents.wide.roles"
        )
        post_save.connect(geo.gazetteer.clear, sender=Place, dispatch_uid="incidents.gazetteer.save")
        post_delete.connect(geo.gazetteer.clear, sender=Place, dispatch_uid="incidents.gazetteer.delete")

        # An incident belongs to the room that registered it and the one it was transferred to.
        policy.relations.register(
            Incident,
            departments=lambda incident: {incident.duty_room_id, incident.transferred_to_id},
            query=lambda ids: Q(duty_room_id__in=ids) | Q(transferred_to_id__in=ids),
        )
        # Its incident-level events reach those rooms (and the rooms above them).
        policy.incident_followers.register(selectors.holding_rooms)

        # What the duty domain (below) asks: incidents are the duty office's business
        # (it registers every report), so its handover carries them and its log shows intakes.
        def office_only(fn):
            return lambda room, *args: fn(*args) if room.kind == Department.Kind.DUTY_OFFICE else []

        hooks.handover_items.register(office_only(selectors.open_items_for_handover))
        hooks.log_rows.register(office_only(selectors.intake_log))
        hooks.incident_exists.register(lambda pk: Incident.objects.filter(pk=pk).exists())
