"""A world for the scope matrix (tests/dutyops/test_policy_scope*.py): the same set of
objects built inside the water bureau, the fire brigade and a unit below the water
bureau, and the people of each in the three scoped roles (CONTRACT.md "Roles and
scope": a liaison, its room's duty leader, its room's duty officer); and the table
(ROWS) of the policy question each object route asks.

Each side is a dict of objects by name: an incident the department's room holds (with
a report, an alert to the department, a supervision case, a proposed activation, an
upward report, a report from a lower installation, an accountability finding and a
staff error), an incident transferred to it from the office, its duty room's shifts
(one ended with a handover written to the current one, the current one with the
room's duty officer on it), a rotation, a leave, a swap, an absence, a calendar feed.
The water bureau is alerted on the fire brigade's incident too (it follows it)."""

import datetime
from collections import namedtuple

from django.db import transaction
from django.utils import timezone
from rest_framework.test import APIClient

from dutyops import policy
from tests.conftest import token_for

# The sides: the water bureau, the fire brigade (both under the general duty office), and a
# unit below the water bureau (its hydrology station, made here): the water bureau's room
# acts for it (its subtree), its liaison does not (its own department only).
SIDES = {"water": "LJ-SWJ", "fire": "LJ-XFJY", "station": "LJ-SWJ-SWZ"}
# The scoped roles on each side: a demo username, or None (made here).
PEOPLE = {
    "liaison": {"water": "liaison_water", "fire": "liaison_fire", "station": None},
    "duty_leader": {"water": "swj_lead", "fire": "xf_lead", "station": None},
    "duty_officer": {"water": None, "fire": None, "station": None},  # the demo has no room duty officer
}


def _person(username, department, role):
    from dutyops.models import Person

    if username is not None:
        return Person.objects.get(username=username)
    person = Person.objects.create_user(
        username=f"{department.code.lower()}-{role}", password="pw-12345678", department=department
    )
    person.set_roles([role])
    return person


# The office's people (jurisdiction-wide), beside the scoped ones: (role, "office"): username.
OFFICE_PEOPLE = {
    ("duty_officer", "office"): "officer1",
    ("duty_leader", "office"): "dleader",
    ("leader", "office"): "leader",
    ("superuser", "office"): "admin",
    ("board", "office"): "wallboard",
}


def office_people():
    """{(role, "office"): person}: the general duty office's roles, the demo's superuser and wall board."""
    from dutyops.models import Person

    return {key: Person.objects.get(username=username) for key, username in OFFICE_PEOPLE.items()}


def _station():
    from dutyops.models import Department

    water = Department.objects.get(code=SIDES["water"])
    station, _ = Department.objects.get_or_create(
        code=SIDES["station"], defaults={"name": "市水利局水文站", "kind": "department", "parent": water}
    )
    return station


def scoped_people():
    """{(role, side): person} for role in liaison, duty_leader, duty_officer and each side."""
    from dutyops.models import Department

    _station()
    found = {}
    for side, code in SIDES.items():
        department = Department.objects.get(code=code)
        for role, names in PEOPLE.items():
            found[(role, side)] = _person(names[side], department, role)
    return found


def mark(department, kind):
    """The text a department's object of `kind` carries (a title, a note), found in any answer
    that shows it: `leaks` finds those a person may not read."""
    return f"MARK[{department.code}:{kind}]"


def _incidents(department, office_officer):
    from incidents.models import Incident, Report, Status

    # Both departments' incidents read alike, at one place: each is the other's possible duplicate.
    incident = Incident.objects.create(
        title=f"{department.name}：湘江大堤管涌险情 {mark(department, 'incident')}",
        category="natural_disaster",
        duty_room=department,
        location_text="湘江大堤",
        latitude=28.2100,
        longitude=112.9600,
    )
    report = Report.objects.create(incident=incident, title=incident.title, category="natural_disaster")
    office = office_officer.department
    transferred = Incident.objects.create(
        title=f"移交{department.name}：道路积水 {mark(department, 'transferred')}",
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
        incident=incident, department=department, duty=f"排查险情 {mark(department, 'alert')}", ack_minutes=30
    )
    world["case"] = alerts.open_case(
        title=f"险情整改 {mark(department, 'case')}", content="限期整改", incident=incident, departments=[department]
    )
    plan = Plan.objects.filter(status="issued").order_by("pk").first()
    world["plan"] = plan
    world["activation"] = plans.propose_activation(incident, plan, plan.levels[-1]["level"], office_officer)
    world["upward"] = chain.report_upward(
        incident, office_officer, kind="first", text=f"首报 {mark(department, 'upward')}", unverified_reason="情况紧急"
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
        office_leader,
        kind="late",
        department=department,
        finding=f"迟报 {mark(department, 'finding')}",
        incident=incident,
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
    note = f"交班 {mark(department, 'handover')}"
    Handover.objects.create(from_shift=past, to_shift=shift, note=note, written_by=office_officer, written_at=now)
    world.update(
        past_shift=past,
        shift=shift,
        rotation=Rotation.objects.create(duty_room=department, name=mark(department, "rotation")),
        leave=Leave.objects.create(
            person=officer,
            starts_on=timezone.localdate() + datetime.timedelta(days=40),
            ends_on=timezone.localdate() + datetime.timedelta(days=41),
            reason=mark(department, "leave"),
        ),
        swap=SwapRequest.objects.create(
            kind="substitute", shift=shift, requester=officer, counterpart=liaison, reason=mark(department, "swap")
        ),
        absence=Absence.objects.create(shift=past, person=officer, kind="absent_from_post", detected_at=now),
        feed=CalendarFeed.issue(owner=officer, person=officer)[0],
        person=officer,
    )
    return world


def build_world(people):
    """{side: objects} for each of SIDES (see the module's docstring); rolled back with the demo.
    The water bureau is also alerted on the fire brigade's incident: it follows that
    incident (reads its own facts) without holding it (never acts on it)."""
    from accountability import services as accountability
    from alerts import services as alerts
    from dutyops.models import Department, Person

    office_officer, office_leader = (Person.objects.get(username=u) for u in ("officer1", "leader"))
    worlds = {}
    with transaction.atomic():
        for side, code in SIDES.items():
            department = Department.objects.get(code=code)
            mine = {role: people[(role, side)] for role in PEOPLE}
            world = {"department": department, **_incidents(department, office_officer)}
            _incident_records(world, department, office_officer, office_leader)
            _duty(world, department, mine, office_officer)
            alerts.acknowledge(world["alert"].pk, mine["liaison"])
            alerts.add_feedback(world["alert"].pk, mine["liaison"], f"已处置 {mark(department, 'feedback')}")
            world["staff_error"] = accountability.record_staff_error(
                office_leader,
                kind="intake",
                person=mine["duty_officer"],
                description=f"漏记来电 {mark(department, 'staff_error')}",
                occurred_at=timezone.now() - timezone.timedelta(hours=1),
            )
            worlds[side] = world
        alerts.dispatch_alert(
            incident=worlds["fire"]["incident"], department=worlds["water"]["department"], duty="协助排水"
        )
    return worlds


def world_once(django_db_blocker, office=False):
    """The scoped people (and with office=True the office's too) and the world, for a
    module-scoped fixture on top of `demo` (built once per module, rolled back with the demo)."""
    from realtime.selectors import latest_seq

    with django_db_blocker.unblock():
        people = scoped_people()
        before = latest_seq()
        worlds = build_world(people)
        for world in worlds.values():
            world["events_after"] = before  # the world's own events follow this seq
        return people | (office_people() if office else {}), worlds


def clients_of(people):
    """An API client with a token for each scoped person; a 500 is answered (a finding in the table)."""
    out = {}
    for key, person in people.items():
        out[key] = APIClient(raise_request_exception=False)
        out[key].credentials(HTTP_AUTHORIZATION=f"Token {token_for(person)}")
    return out


# --- the questions a row asks: each answers (person, world) from the policy ---------------


def may(action, on=None):
    """policy.may(person, action, the world's `on` object (the row's own kind by default))."""
    return lambda person, world, kind: policy.may(person, action, world[on or kind])


def party(on=None):
    """The person is a party to the object (on the shift, the swap's requester), as its domain tells the policy."""
    return lambda person, world, kind: policy.relations.is_party(world[on or kind], person)


def everywhere(action):
    """The person takes `action` in the whole jurisdiction (the office, leaders, the board)."""
    return lambda person, world, kind: policy.scope(person, action) is None


def one_of(*questions):
    return lambda person, world, kind: any(q(person, world, kind) for q in questions)


def named(field):
    """The person the object names in `field` (the swap's counterpart, the feed's owner)."""
    return lambda person, world, kind: getattr(world[kind], f"{field}_id") == person.pk


def _other_level(world):
    levels = [level["level"] for level in world["plan"].levels]
    return next((lv for lv in levels if lv != world["activation"].level), levels[0])


Row = namedtuple("Row", "kind read act body", defaults=(None, None))
INCIDENT = may("incident.view")
SHIFT = one_of(may("duty.view"), party())  # its room's roster, or a shift one serves on
ROSTER = may("roster.write")
OPERATE = may("incident.operate")
LEAVE = one_of(named("person"), ROSTER, everywhere("duty.view"))

# (method, route): the kind of object (a key of the world), what reading it asks, what
# acting on it asks, the body a write sends (a dict, or a function of the world).
ROWS = {
    # an absence: its shift's room's roster, or one's own
    ("GET", "/api/v1/absences/{pk}/"): Row("absence", one_of(may("duty.view", "past_shift"), named("person"))),
    ("GET", "/api/v1/activations/{pk}/"): Row("activation", INCIDENT),
    ("POST", "/api/v1/activations/{pk}/approve/"): Row("activation", INCIDENT, may("activation.approve"), {}),
    ("POST", "/api/v1/activations/{pk}/reject/"): Row("activation", INCIDENT, may("activation.approve"), {}),
    ("POST", "/api/v1/activations/{pk}/change-level/"): Row(
        "activation", INCIDENT, may("activation.propose"), lambda w: {"level": _other_level(w)}
    ),
    ("POST", "/api/v1/activations/{pk}/terminate/"): Row(
        "activation", INCIDENT, may("activation.propose"), {"reason": "险情解除"}
    ),
    ("GET", "/api/v1/alerts/{pk}/"): Row("alert", may("alert.view")),
    ("POST", "/api/v1/alerts/{pk}/acknowledge/"): Row("alert", may("alert.view"), may("alert.act"), {}),
    ("POST", "/api/v1/alerts/{pk}/feedback/"): Row("alert", may("alert.view"), may("alert.act"), {"text": "已处置"}),
    ("POST", "/api/v1/alerts/{pk}/close/"): Row("alert", may("alert.view"), may("alert.manage"), {}),
    ("POST", "/api/v1/alerts/{pk}/return/"): Row("alert", may("alert.view"), may("alert.manage"), {"reason": "补充"}),
    ("GET", "/api/v1/chain/inbox/{pk}/"): Row("inbound", may("incident.view", "incident")),
    ("POST", "/api/v1/chain/inbox/{pk}/sign/"): Row(
        "inbound", may("incident.view", "incident"), may("inbound.sign", "incident"), {}
    ),
    ("GET", "/api/v1/findings/{pk}/"): Row("finding", may("accountability.view")),
    ("GET", "/api/v1/staff-errors/{pk}/"): Row("staff_error", may("accountability.view")),
    ("GET", "/api/v1/incidents/{pk}/"): Row("incident", INCIDENT),
    ("GET", "/api/v1/incidents/{pk}/activations/"): Row("incident", INCIDENT),
    ("GET", "/api/v1/incidents/{pk}/instructions/"): Row("incident", INCIDENT),
    ("GET", "/api/v1/incidents/{pk}/plan-matches/"): Row("incident", INCIDENT),
    ("GET", "/api/v1/incidents/{pk}/upward-reports/"): Row("incident", INCIDENT),
    ("GET", "/api/v1/incidents/{pk}/verifications/"): Row("incident", INCIDENT),
    ("POST", "/api/v1/incidents/{pk}/activations/"): Row(
        "incident", INCIDENT, may("activation.propose"), lambda w: {"plan": w["plan"].pk, "level": _other_level(w)}
    ),
    ("POST", "/api/v1/incidents/{pk}/confirm-grade/"): Row("incident", INCIDENT, OPERATE, {"grade": "IV"}),
    ("POST", "/api/v1/incidents/{pk}/confirm-subtype/"): Row("incident", INCIDENT, OPERATE, {"subtype": "flood"}),
    ("POST", "/api/v1/incidents/{pk}/merge/"): Row(
        "incident", INCIDENT, OPERATE, lambda w: {"into": w["transferred"].pk}
    ),
    ("POST", "/api/v1/incidents/{pk}/transition/"): Row("incident", INCIDENT, OPERATE, {"to": "verifying"}),
    ("POST", "/api/v1/incidents/{pk}/instructions/"): Row(
        "incident", INCIDENT, may("incident.instruct"), {"text": "全力处置"}
    ),
    ("POST", "/api/v1/incidents/{pk}/upward-reports/"): Row(
        "incident",
        INCIDENT,
        may("upward.report"),
        {"kind": "follow_up", "text": "续报", "unverified_reason": "情况紧急"},
    ),
    ("POST", "/api/v1/incidents/{pk}/verifications/"): Row(
        "incident", INCIDENT, may("upward.report"), {"facts": "已核实", "method": "phone"}
    ),
    # a transfer from the office to the department: its own rooms confirm it
    ("POST", "/api/v1/incidents/{pk}/confirm-transfer/"): Row(
        "transferred", INCIDENT, may("incident.confirm_transfer", "department"), {}
    ),
    # a leave is private: one's own, one's people's for who writes their roster, and the
    # jurisdiction's rosters' readers' (not a liaison's colleagues')
    ("GET", "/api/v1/leaves/{pk}/"): Row("leave", LEAVE),
    ("PUT", "/api/v1/leaves/{pk}/"): Row("leave", LEAVE, ROSTER, {}),
    ("PATCH", "/api/v1/leaves/{pk}/"): Row("leave", LEAVE, ROSTER, {"reason": "年休"}),
    ("DELETE", "/api/v1/leaves/{pk}/"): Row("leave", LEAVE, ROSTER),
    ("GET", "/api/v1/people/{pk}/"): Row("person", may("people.view")),
    ("PUT", "/api/v1/people/{pk}/"): Row("person", may("people.view"), may("org.write"), {}),
    ("PATCH", "/api/v1/people/{pk}/"): Row("person", may("people.view"), may("org.write"), {"phone": "110"}),
    ("DELETE", "/api/v1/people/{pk}/"): Row("person", may("people.view"), may("org.write")),
    ("GET", "/api/v1/reports/{pk}/"): Row("report", may("incident.view", "incident")),
    ("GET", "/api/v1/rotations/{pk}/"): Row("rotation", may("duty.view")),
    ("PUT", "/api/v1/rotations/{pk}/"): Row("rotation", may("duty.view"), ROSTER, {}),
    ("PATCH", "/api/v1/rotations/{pk}/"): Row("rotation", may("duty.view"), ROSTER, {"name": "新轮班"}),
    ("DELETE", "/api/v1/rotations/{pk}/"): Row("rotation", may("duty.view"), ROSTER),
    ("POST", "/api/v1/rotations/{pk}/generate/"): Row("rotation", may("duty.view"), ROSTER, {}),
    ("GET", "/api/v1/shifts/{pk}/"): Row("shift", SHIFT),
    ("GET", "/api/v1/shifts/{pk}/checkins/"): Row("shift", SHIFT),
    ("GET", "/api/v1/shifts/{pk}/handover/"): Row("shift", SHIFT),
    ("GET", "/api/v1/shifts/{pk}/log/"): Row("shift", SHIFT),
    ("GET", "/api/v1/shifts/{pk}/post-checks/"): Row("shift", SHIFT),
    ("PUT", "/api/v1/shifts/{pk}/"): Row("shift", SHIFT, ROSTER, {}),
    ("PATCH", "/api/v1/shifts/{pk}/"): Row("shift", SHIFT, ROSTER, {"officers": []}),
    ("DELETE", "/api/v1/shifts/{pk}/"): Row("shift", SHIFT, ROSTER),
    ("POST", "/api/v1/shifts/{pk}/check-in/"): Row("shift", SHIFT, party(), {}),
    ("POST", "/api/v1/shifts/{pk}/handover/"): Row("shift", SHIFT, may("handover.write"), {"note": "交班：无遗留"}),
    ("POST", "/api/v1/shifts/{pk}/log/"): Row("shift", SHIFT, may("dutylog.write"), {"kind": "note", "text": "来电"}),
    ("POST", "/api/v1/shifts/{pk}/post-checks/"): Row(
        "shift", SHIFT, may("post_check.write"), lambda w: {"person": w["person"].pk, "answered": True}
    ),
    # the ended shift's handover, signed by the incoming (current) shift
    ("POST", "/api/v1/shifts/{pk}/handover/sign/"): Row(
        "past_shift", SHIFT, may("handover.write", "shift"), {"note": "已接班"}
    ),
    ("GET", "/api/v1/supervision/{pk}/"): Row("case", may("case.view")),
    ("POST", "/api/v1/supervision/{pk}/assign/"): Row(
        "case", may("case.view"), may("case.manage"), lambda w: {"departments": [w["department"].pk]}
    ),
    ("POST", "/api/v1/supervision/{pk}/review/"): Row("case", may("case.view"), may("case.manage"), {"text": "通过"}),
    ("POST", "/api/v1/supervision/{pk}/recheck/"): Row("case", may("case.view"), may("case.manage"), {"text": "复查"}),
    ("POST", "/api/v1/supervision/{pk}/progress/"): Row("case", may("case.view"), may("case.act"), {"text": "进展"}),
    ("POST", "/api/v1/supervision/{pk}/complete/"): Row("case", may("case.view"), may("case.act"), {"text": "办结"}),
    ("GET", "/api/v1/swaps/{pk}/"): Row("swap", may("swap.view")),
    ("POST", "/api/v1/swaps/{pk}/accept/"): Row("swap", may("swap.view"), named("counterpart"), {}),
    ("POST", "/api/v1/swaps/{pk}/decline/"): Row("swap", may("swap.view"), named("counterpart"), {}),
    ("POST", "/api/v1/swaps/{pk}/approve/"): Row("swap", may("swap.view"), may("swap.approve", "department"), {}),
    ("POST", "/api/v1/swaps/{pk}/reject/"): Row("swap", may("swap.view"), may("swap.approve", "department"), {}),
    ("POST", "/api/v1/swaps/{pk}/cancel/"): Row("swap", may("swap.view"), named("requester"), {}),
    ("GET", "/api/v1/upward-reports/{pk}/"): Row("upward", may("incident.view", "incident")),
    ("GET", "/api/v1/upward-reports/{pk}/document/"): Row("upward", may("incident.view", "incident")),
    # one's own feeds only (the queryset): the owner is the room's duty officer
    ("DELETE", "/api/v1/calendar-feeds/{pk}/"): Row("feed", named("owner"), named("owner")),
}

# The marks, and the item whose row says who may read each (the row's GET on the world's object).
MARKS = {
    "incident": ("/api/v1/incidents/{pk}/", "incident"),
    "transferred": ("/api/v1/incidents/{pk}/", "transferred"),
    "alert": ("/api/v1/alerts/{pk}/", "alert"),
    "feedback": ("/api/v1/alerts/{pk}/", "alert"),
    "case": ("/api/v1/supervision/{pk}/", "case"),
    "upward": ("/api/v1/upward-reports/{pk}/", "upward"),
    "finding": ("/api/v1/findings/{pk}/", "finding"),
    "staff_error": ("/api/v1/staff-errors/{pk}/", "staff_error"),
    "handover": ("/api/v1/shifts/{pk}/handover/", "past_shift"),
    "rotation": ("/api/v1/rotations/{pk}/", "rotation"),
    "leave": ("/api/v1/leaves/{pk}/", "leave"),
    "swap": ("/api/v1/swaps/{pk}/", "swap"),
}


def leaks(person, worlds, text):
    """The marks in `text` (an answer to `person`) of objects the policy does not let them read."""
    found = []
    for side, world in worlds.items():
        for kind, (item, on) in MARKS.items():
            if mark(world["department"], kind) in text and not ROWS[("GET", item)].read(person, world, on):
                found.append(f"the {side} {kind}")
    return found
