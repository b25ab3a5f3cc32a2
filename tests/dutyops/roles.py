"""The roles the access-policy tables are written for (test_policy*.py): who is who in
the demo organisation, and the sets of roles the tables name."""

from django.db import transaction

# superuser: the demo's `admin` (Django superuser); admin: the admin role alone;
# duty_officer, duty_leader: the general duty office's; room_leader: the water bureau's
# duty leader (a duty_leader of another room: its own subtree only, issue 16).
ROLES = (
    "anonymous",
    "superuser",
    "admin",
    "duty_officer",
    "duty_leader",
    "leader",
    "liaison",
    "board",
    "room_leader",
)
SIGNED_IN = frozenset(ROLES) - {"anonymous"}
WRITERS = SIGNED_IN - {"board"}  # the wall board changes nothing
NOBODY = frozenset()
ANYONE = frozenset(ROLES)
SUPER = frozenset({"superuser"})
ADMINS = frozenset({"superuser", "admin"})
STAFF = SIGNED_IN - {"liaison", "room_leader"}  # who sees the whole jurisdiction
OPERATORS = frozenset({"superuser", "admin", "duty_officer", "duty_leader"})
OFFICE = OPERATORS | {"leader"}  # alerts, supervision, circulars
LEADERS = frozenset({"superuser", "duty_leader", "leader"})  # instructions, approvals
ROSTER = frozenset({"superuser", "admin", "duty_leader"})
ROOM_ROSTER = ROSTER | {"room_leader"}  # its own room's roster (the body names the room; the first leave is none)
POST_CHECKERS = ROSTER | {"leader"}


def _people(Department, Person):  # noqa: N803 - the models, imported once the apps are ready
    office = Department.objects.get(code="LJ-ZBS")
    found = {
        "superuser": Person.objects.get(username="admin"),
        "duty_officer": Person.objects.get(username="officer1"),
        "duty_leader": Person.objects.get(username="dleader"),
        "leader": Person.objects.get(username="leader"),
        "liaison": Person.objects.get(username="liaison_water"),
        "board": Person.objects.get(username="wallboard"),
        "room_leader": Person.objects.get(username="swj_lead"),
    }
    # On duty, the water bureau's duty leader answers for his bureau's alerts (alert.act:
    # PARTY), and the demo roster puts him on duty on some days: the matrix is about his
    # role, so here he is off duty whatever the date (found by a run a year back).
    from duty.models import Shift, ShiftOfficer

    Shift.objects.filter(leader=found["room_leader"]).update(leader=None)
    ShiftOfficer.objects.filter(person=found["room_leader"]).delete()
    with transaction.atomic():
        admin = Person.objects.create_user(username="admin-role", password="pw-12345678", department=office)
        admin.set_roles(["admin"])
    found["admin"] = admin
    return found
