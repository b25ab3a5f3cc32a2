"""Matching when an incident's picture changes (incidents.signals.picture_changed):
plan.matched is emitted only when the top match or the coverage gap changes."""

import logging

from django.db import DatabaseError
from django.utils import timezone

from realtime.services import emit

from .. import matching
from ..models import (
    IncidentMatch,
    Plan,
)

log = logging.getLogger(__name__)

log = logging.getLogger(__name__)


# --- matching on picture change ------------------------------------------------------


def rematch(incident, actor=None, created=False):
    """Re-run matching for an incident; emit plan.matched only when the top
    match or the coverage-gap flag changed. A coverage gap is an incident no
    specific or department plan fits (the general plan alone, or nothing).
    created: the incident was created in this transaction (nothing to compare).
    Returns the top match or None."""
    return _record_match(incident, *_match(incident), actor=actor, created=created)


def _match(incident):
    """(top match or None, gap, plan.matched data): computing only, no writes.
    The board announces a preferred plan (首选预案) only when one leads alone with the
    subtype known; a tie, or a subtype still unknown, is announced as such."""
    found, facts = matching.rank(incident)
    marks = matching.roles(found, facts, limit=5)
    top = matching.explained(found[0], facts, *marks[0]) if found else None
    gap = not any(m[0].kind != Plan.Kind.GENERAL for m in found)
    base = {
        "incident": incident.pk,
        "gap": gap,
        "category": incident.category,
        "subtype": incident.subtype,
        "subtype_source": getattr(incident, "subtype_source", ""),
        "tied_plans": [m[0].id for m, (role, _r) in zip(found, marks, strict=False) if role == "tied"],
        "possible_plans": [m[0].id for m, (role, _r) in zip(found, marks, strict=False) if role == "possible"],
    }
    if top:
        titles = {m[0].id: m[0].title for m in found[:5]}
        base["tied_titles"] = [titles[p] for p in base["tied_plans"] if p in titles]
        base["possible_titles"] = [titles[p] for p in base["possible_plans"][:3] if p in titles]
        return top, gap, {**base, **top}
    return None, gap, {**base, "plan": None, "level": None, "score": 0, "preferred": False, "reason_codes": []}


def _record_match(incident, top, gap, data, *, actor, created):
    plan_id, level = (top["plan"], top["level"]) if top else (None, "")
    preferred = bool(top and top["preferred"])
    state = None if created else IncidentMatch.objects.select_for_update().filter(incident_id=incident.pk).first()
    if state is not None and (state.plan_id, state.level, state.gap, state.preferred) == (
        plan_id,
        level,
        gap,
        preferred,
    ):
        return top
    values = {"plan_id": plan_id, "level": level, "score": top["score"] if top else 0, "gap": gap}
    values["preferred"] = preferred
    values["matched_at"] = timezone.now()
    if state is None:  # no savepoint needed: the caller holds the incident (new, or locked)
        IncidentMatch.objects.create(incident_id=incident.pk, **values)
    else:
        IncidentMatch.objects.filter(incident_id=incident.pk).update(**values)
    rooms = [d for d in (incident.duty_room_id, incident.transferred_to_id) if d]  # the rooms holding it
    emit("plan.matched", data, actor=actor, incident_id=incident.pk, departments=rooms, new_incident=created)
    return top


def on_picture_changed(sender, incident=None, created=False, **kwargs):
    """incidents.signals.picture_changed receiver. A fault in matching never
    loses the report: it is logged and the incident keeps its last match."""
    if incident is None or incident.pk is None:
        return
    try:
        found = _match(incident)
    except DatabaseError:
        raise  # the transaction is unusable now: the write fails as a whole
    except Exception:  # noqa: BLE001
        log.exception("plan re-matching failed for incident %s", incident.pk)
        return
    # No savepoint (two round trips on every intake): writing one row cannot
    # fail but with the database, and then the write fails as a whole anyway.
    _record_match(incident, *found, actor=kwargs.get("actor"), created=created)
