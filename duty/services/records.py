"""Calendar feeds and the duty reference data (rotations, holidays, leaves, duty rules)."""

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from dutyops import policy
from dutyops.errors import Forbidden
from realtime.services import emit

from ..models import CalendarFeed


@transaction.atomic
def create_calendar_feed(owner, duty_room=None, person=None):
    """A secret iCal URL: one's own shifts (or, for an admin, anyone's), or a room one may see.
    The feed comes back with `token`, its secret, this once."""
    if person is not None and person.pk != owner.pk and not policy.may(owner, "calendar.others"):
        raise Forbidden(_("只能订阅本人的值班日历。"))
    if duty_room is not None and not policy.may(owner, "duty.view", duty_room):
        raise Forbidden(_("只能订阅本单位的值班日历。"))
    feed, token = CalendarFeed.issue(owner=owner, duty_room=duty_room, person=person)
    feed.token = token  # shown once, in the answer to this request; only its digest is kept
    data = {"id": feed.pk, "duty_room": feed.duty_room_id, "person": feed.person_id}
    data.update(owner_name=str(owner), target_name=duty_room.name if duty_room else str(person))
    emit("calendar_feed.created", data, actor=owner)
    return feed


@transaction.atomic
def revoke_calendar_feed(feed, actor):
    if feed.revoked_at is None:
        feed.revoked_at = timezone.now()
        feed.save(update_fields=["revoked_at"])
        emit("calendar_feed.revoked", {"id": feed.pk, "actor_name": str(actor)}, actor=actor)
    return feed


def revoke_feeds_of(person, reasons, actor):
    """dutyops.credentials.revoked: a feed is a credential of whoever made it, so
    every revocation ends the feeds the person made; deactivation also ends the
    feeds of the person's own shifts that others made (a new URL can be made)."""
    feeds = CalendarFeed.objects.filter(owner=person)
    if "deactivated" in reasons:
        feeds = CalendarFeed.objects.filter(Q(owner=person) | Q(person=person))
    for feed in feeds.filter(revoked_at__isnull=True):
        feed.revoked_at = timezone.now()
        feed.save(update_fields=["revoked_at"])
        emit("calendar_feed.revoked", {"id": feed.pk, "actor_name": str(actor) if actor else ""}, actor=actor)


@transaction.atomic
def save_duty_record(serializer, actor, noun, **extra):
    """Create/update of duty reference data (rules, holidays, leaves, rotations): `<noun>.created/updated`."""
    created = serializer.instance is None
    obj = serializer.save(**extra)
    emit(
        f"{noun}.{'created' if created else 'updated'}",
        {"id": obj.pk, "name": str(obj), "actor_name": str(actor)},
        actor=actor,
    )
    return obj


@transaction.atomic
def delete_duty_record(obj, actor, noun):
    data = {"id": obj.pk, "name": str(obj), "actor_name": str(actor)}
    obj.delete()
    emit(f"{noun}.deleted", data, actor=actor)
