"""A world for the scope matrix (tests/dutyops/test_policy_scope*.py): the same set of
objects built inside one department's subtree and inside another's, and the people
of each side in the three scoped roles (CONTRACT.md "Roles and scope": a liaison, its
room's duty leader, its room's duty officer).

Each side is a dict of objects by name: an incident the department's room holds (with
a report, an alert to the department, a supervision case, a proposed activation, an
upward report, a report from a lower installation, an accountability finding and a
staff error), an incident transferred to it from the office, its duty room's shifts
(one ended with a handover written to the current one, the current one with the
room's duty officer on it), a rotation, a leave, a swap, an absence, a calendar feed."""

import datetime

from django.db import transaction
from django.utils import timezone

# The scoped roles, on each side: (department code, username or None: made here, role).
SIDES = {"water": "LJ-SWJ", "fire": "LJ-XFJY"}  # the water bureau; the fire brigade
PEOPLE = {
    "liaison": {"water": "liaison_water", "fire": "liaison_fire"},
    "duty_leader": {"water": "swj_lead", "fire": "xf_lead"},
    "duty_officer": {"water": None, "fire": None},  # the demo has none: a room's duty officer
}


def _person(username, department, role):
    from dutyops.models import Person

    if username is not None:
        return Person.objects.get(username=username)
    person = Person.objects.create_user(
        username=f"{department.code.lower()}-officer", password="pw-12345678", department=department
    )
    person.set_roles([role])
    return person


def scoped_people():
    """{(role, side): person} for role in liaison, duty_leader, duty_officer and side in water, fire."""
    from dutyops.models import Department

    found = {}
    for side, code in SIDES.items():
        department = Department.objects.get(code=code)
        for role, names in PEOPLE.items():
            found[(role, side)] = _person(names[side], department, role)
    return found


def _incidents(department, office_officer):
    from incidents.models import Incident, Report, Status

    incident = Incident.objects.create(
        title=f"{department.name}：辖区险情", category="natural_disaster", duty_room=department
    )
    report = Report.objects.create(incident=incident, title=incident.title, category="natural_disaster")
    office = office_officer.department
    transferred = Incident.objects.create(
        title=f"移交{department.name}：道路积水",
        category="natural_disaster",
        duty_room=office,
        status=Status.TRANSFERRED,
        transferred_to=department,
    )
    return {"incident": incident, "report": report, "transferred": transferred}


def _incident_records(world, department, office_officer, office_leader):
    """What hangs on the incident: alert, case, activation, upward report, inbound report, findings."""
    from accountability import services as accountability
    from alerts import services as alerts
    from chain import services as chain
    from chain.models import Inbound, Link
    from incidents.models import Report
    from plans import services as plans
    from plans.models import Plan

    incident = world["incident"]
    world["alert"] = alerts.dispatch_alert(
        incident=incident, department=department, duty="排查险情", ack_minutes=30, feedback_minutes=120
    )
    world["case"] = alerts.open_case(title="险情整改", content="限期整改", incident=incident, departments=[department])
    plan = Plan.objects.filter(status="issued").order_by("pk").first()
    world["plan"] = plan
    world["activation"] = plans.propose_activation(incident, plan, plan.levels[-1]["level"], office_officer)
    world["upward"] = chain.report_upward(
        incident, office_officer, kind="first", text="首报", unverified_reason="情况紧急"
    )
    link = Link.objects.create(name=f"{department.code} 下级", direction="down", url="http://192.0.2.1")
    below = Report.objects.create(incident=incident, title="下级报告", channel="lower_level")
    world["inbound"] = Inbound.objects.create(
        link=link,
        remote_id="r1",
        remote_incident="i1",
        kind="first",
        sender="下级",
        content={},
        report=below,
        incident=incident,
    )
    world["finding"] = accountability.record_finding(
        office_leader, kind="late", department=department, finding="迟报 20 分钟", incident=incident
    )
    return world


def _duty(world, department, people, office_officer):
    """The room's shifts (ended with a handover to the current one, the current one), rotation, leave, swap."""
    from duty.models import Absence, CalendarFeed, Handover, Leave, Rotation, Shift, ShiftOfficer, SwapRequest

    now = timezone.now().replace(microsecond=0)
    officer, liaison = people["duty_officer"], people["liaison"]
    past = Shift.objects.create(
        duty_room=department, starts_at=now - timezone.timedelta(hours=10), ends_at=now - timezone.timedelta(hours=2)
    )
    shift = Shift.objects.create(
        duty_room=department, starts_at=past.ends_at, ends_at=now + timezone.timedelta(hours=6)
    )
    ShiftOfficer.objects.create(shift=shift, person=officer)
    Handover.objects.create(from_shift=past, to_shift=shift, note="交班", written_by=office_officer, written_at=now)
    world.update(
        past_shift=past,
        shift=shift,
        rotation=Rotation.objects.create(duty_room=department, name=f"{department.code} 轮班"),
        leave=Leave.objects.create(
            person=officer,
            starts_on=timezone.localdate() + datetime.timedelta(days=40),
            ends_on=timezone.localdate() + datetime.timedelta(days=41),
        ),
        swap=SwapRequest.objects.create(kind="substitute", shift=shift, requester=officer, counterpart=liaison),
        absence=Absence.objects.create(shift=past, person=officer, kind="absent_from_post", detected_at=now),
        feed=CalendarFeed.objects.create(owner=officer, person=officer),
        person=officer,
    )
    return world


def build_world(people):
    """{"water": objects, "fire": objects} (see the module's docstring); rolled back with the demo."""
    from dutyops.models import Person

    office_officer, office_leader = (Person.objects.get(username=u) for u in ("officer1", "leader"))
    from accountability import services as accountability
    from dutyops.models import Department

    worlds = {}
    with transaction.atomic():
        for side, code in SIDES.items():
            department = Department.objects.get(code=code)
            mine = {role: people[(role, side)] for role in PEOPLE}
            world = {"department": department, **_incidents(department, office_officer)}
            _incident_records(world, department, office_officer, office_leader)
            _duty(world, department, mine, office_officer)
            world["staff_error"] = accountability.record_staff_error(
                office_leader,
                kind="intake",
                person=mine["duty_officer"],
                description="漏记来电",
                occurred_at=timezone.now() - timezone.timedelta(hours=1),
            )
            worlds[side] = world
    return worlds
