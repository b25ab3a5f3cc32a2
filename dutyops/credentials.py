"""Revocation: when a person is deactivated, or their password, roles or department
change, or a wall board's token is rotated, everything they were signed in with ends.

- their API tokens are deleted;
- their auth version is raised: it is mixed into the session hash
  (Person._get_session_auth_hash), so every session of theirs, kiosk sessions
  included, stops working at its next request;
- what higher layers hold for them is ended through `revoked` (the duty app
  revokes the iCal feeds they made);
- after commit, `notices` tell the processes holding their sockets to close them
  (realtime.revocation: the channel layer, and a periodic re-check as the net);
- a `person.credentials_revoked` event records who, when and why.

It happens in model signals, so every path that changes a person (the API, the
admin site, `changepassword`, a script) revokes; `acting(actor)` names who did it.
"""

import contextlib
import contextvars
import logging

from django.db import transaction
from django.db.models import F
from django.db.models.signals import m2m_changed, post_save, pre_save

from .models import ApiToken, Person
from .providers import Providers
from .stream import emit

log = logging.getLogger(__name__)

DEACTIVATED, PASSWORD, ROLES, DEPARTMENT, KIOSK_TOKEN = "deactivated", "password", "roles", "department", "kiosk_token"
REASONS = (DEACTIVATED, PASSWORD, ROLES, DEPARTMENT, KIOSK_TOKEN)

# fn(person, reasons, actor) -> None, inside the revoking transaction (higher layers'
# credentials of the person: the duty app's calendar feeds).
revoked = Providers("credentials revoked")
# fn(person_id, auth_version) -> None, after commit (realtime: close the sockets).
notices = Providers("credentials revoked: notice", tolerant=True)

_actor = contextvars.ContextVar("dutyops_credentials_actor", default=None)


@contextlib.contextmanager
def acting(actor):
    """Revocations inside are recorded as done by `actor` (else: by nobody, the system)."""
    reset = _actor.set(actor)
    try:
        yield
    finally:
        _actor.reset(reset)


class _Notice:
    """The after-commit hook of one revocation (also how a transaction remembers
    which revocations it holds: Django drops the hooks of a rolled-back savepoint)."""

    def __init__(self, person_id, version, reasons):
        self.person_id, self.version, self.reasons = person_id, version, reasons

    def __call__(self):
        notices.collect(self.person_id, self.version)


def _pending(person_id):
    connection = transaction.get_connection()
    return [
        hook
        for _sids, hook, _robust in connection.run_on_commit
        if isinstance(hook, _Notice) and hook.person_id == person_id
    ]


@transaction.atomic
def revoke(person, reasons, actor=None):
    """End every credential of `person` (see the module docstring). Returns the
    number of API tokens deleted. Once per person and reason per transaction
    (roles.set() removes, then adds)."""
    if any(set(reasons) <= set(notice.reasons) for notice in _pending(person.pk)):
        return 0
    actor = actor if actor is not None else _actor.get()
    Person.objects.filter(pk=person.pk).update(auth_version=F("auth_version") + 1)
    person.auth_version = Person.objects.values_list("auth_version", flat=True).get(pk=person.pk)
    tokens, _ = ApiToken.objects.filter(user=person).delete()
    revoked.collect(person, tuple(reasons), actor)
    emit(
        "person.credentials_revoked",
        {
            "id": person.pk,
            "username": person.username,
            "full_name": person.full_name,
            "reasons": list(reasons),
            "tokens": tokens,
        },
        actor=actor,
    )
    transaction.on_commit(_Notice(person.pk, person.auth_version, tuple(reasons)))
    log.info("credentials of person %s revoked (%s)", person.pk, ", ".join(reasons))
    return tokens


def rotate_kiosk_token(person, actor=None):
    """A wall board's new token: the old one, its kiosk sessions and sockets end.
    Returns the new token (shown this once)."""
    with transaction.atomic():
        revoke(person, [KIOSK_TOKEN], actor)
        _token, key = ApiToken.issue(person)
    return key


# --- what counts as a change (model signals) --------------------------------

_WATCHED = {"password", "is_active", "department", "department_id"}


def _password_changed(old, person, update_fields):
    if old == person.password:
        return False
    # Django re-hashes a password on login when its hasher's settings changed:
    # check_password() -> set_password(), _password = None, save(update_fields=
    # ["password"]). Same password: not a change. (set_password() and save() by
    # anyone else leaves _password set until the save.)
    rehash = getattr(person, "_password", None) is None and set(update_fields or ()) == {"password"}
    return not rehash


def _before_save(sender, instance, raw=False, update_fields=None, **kwargs):
    instance._revoke_for = ()
    if raw or instance.pk is None or instance._state.adding or getattr(instance, "_new", False):
        return  # (a person still being set up, before its first roles: nothing to revoke yet)
    if update_fields is not None and not _WATCHED.intersection(update_fields):
        return  # last_login and the like
    old = Person.objects.filter(pk=instance.pk).values("password", "is_active", "department_id").first()
    if old is None:
        return
    reasons = []
    if old["is_active"] and not instance.is_active:
        reasons.append(DEACTIVATED)
    if _password_changed(old["password"], instance, update_fields):
        reasons.append(PASSWORD)
    if old["department_id"] != instance.department_id:
        reasons.append(DEPARTMENT)
    instance._revoke_for = tuple(reasons)


def _after_save(sender, instance, created=False, raw=False, **kwargs):
    if created:
        instance._new = True  # its first roles are not a change
    reasons, instance._revoke_for = getattr(instance, "_revoke_for", ()), ()
    if reasons and not raw:
        revoke(instance, reasons)


def _roles_changed(sender, instance, action, reverse, pk_set, **kwargs):
    if action == "pre_clear":
        # clear() does not say whom it cleared: note it now.
        people = list(instance.user_set.all()) if reverse else ([instance] if instance.groups.exists() else [])
        instance._roles_cleared = people
        return
    if action == "post_clear":
        people = getattr(instance, "_roles_cleared", [])
    elif action in ("post_add", "post_remove") and pk_set:
        people = list(Person.objects.filter(pk__in=pk_set)) if reverse else [instance]
    else:
        return
    for person in people:
        if getattr(person, "_new", False):
            person._new = action != "post_add"  # its first roles, given as it was created
            continue
        person.__dict__.pop("_roles", None)
        revoke(person, [ROLES])


def connect():
    """Called once from DutyopsConfig.ready()."""
    pre_save.connect(_before_save, sender=Person, dispatch_uid="dutyops.credentials.before")
    post_save.connect(_after_save, sender=Person, dispatch_uid="dutyops.credentials.after")
    # (Group.user_set is the same relation: reverse=True above.)
    m2m_changed.connect(_roles_changed, sender=Person.groups.through, dispatch_uid="dutyops.credentials.roles")
