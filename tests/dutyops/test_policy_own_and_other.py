"""The access policy's scopes: the same endpoint with one's own department's object and
another's (a liaison, a bureau's duty leader), and the room scopes in the policy itself."""

from django.db import transaction

from dutyops import policy

# --- scope: the same endpoint, one's own department's object and another's -----------------


def _liaison_scope(clients):
    from alerts.models import Alert, SupervisionCase
    from duty.models import Shift
    from dutyops.models import Department, Person
    from incidents.models import Incident

    water = Department.objects.get(code="LJ-SWJ")
    own_alert = Alert.objects.filter(department=water).first()
    other_alert = Alert.objects.exclude(department=water).first()
    own_case = SupervisionCase.objects.filter(departments=water).first()
    other_case = SupervisionCase.objects.exclude(departments=water).first()
    return [
        ("GET", "/api/v1/alerts/{}/", own_alert, other_alert),
        ("POST", "/api/v1/alerts/{}/acknowledge/", own_alert, other_alert),
        (
            "GET",
            "/api/v1/incidents/{}/",
            own_alert.incident,
            Incident.objects.exclude(alerts__department=water).first(),
        ),
        ("GET", "/api/v1/supervision/{}/", own_case, other_case),
        (
            "GET",
            "/api/v1/shifts/{}/",
            Shift.objects.filter(duty_room=water).first(),
            Shift.objects.exclude(duty_room=water).first(),
        ),
        (
            "GET",
            "/api/v1/people/{}/",
            Person.objects.filter(department=water).first(),
            Person.objects.exclude(department=water).first(),
        ),
    ]


def test_a_liaison_reaches_its_own_departments_objects_and_never_anothers(clients):
    problems = []
    for method, route, own, other in _liaison_scope(clients):
        for obj, expected in ((own, True), (other, False)):
            if obj is None:
                continue  # the demo has none of this kind
            with transaction.atomic():
                code = getattr(clients["liaison"], method.lower())(route.format(obj.pk), {}, format="json").status_code
                transaction.set_rollback(True)
            if (code not in (401, 403, 404)) != expected:
                problems.append(f"{method} {route.format(obj.pk)} ({'own' if expected else 'another'}): {code}")
    assert not problems, "\n".join(problems)


def test_a_liaison_exports_only_its_own_rooms_duty_records(clients):
    from dutyops.models import Department

    water, office = (Department.objects.get(code=c).pk for c in ("LJ-SWJ", "LJ-ZBS"))
    for url in ("/api/v1/duty/roster-export/", "/api/v1/duty/daily-report/"):
        assert clients["liaison"].get(url, {"department": water}).status_code == 200
        assert clients["liaison"].get(url, {"department": office}).status_code == 403


# --- a bureau's duty leader: its own room, never the office's or another room's (issue 16) -------


def _bureau_world(people):
    """An incident the water bureau holds, and one the fire brigade holds with an alert to
    the water bureau on it (the water bureau sees it, but does not hold it); a proposed
    activation of an issued plan on each."""
    from alerts import services as alerts
    from dutyops.models import Department
    from incidents.models import Incident
    from plans import services as plans
    from plans.models import Plan

    water, fire = (Department.objects.get(code=c) for c in ("LJ-SWJ", "LJ-XFJY"))
    own = Incident.objects.create(title="水利局：水库泄洪通知", category="natural_disaster", duty_room=water)
    theirs = Incident.objects.create(title="消防：仓库火情", category="accident_disaster", duty_room=fire)
    alerts.dispatch_alert(incident=theirs, department=water, duty="协助排水", ack_minutes=30, feedback_minutes=120)
    plan = Plan.objects.filter(status="issued").order_by("pk").first()
    level = plan.levels[-1]["level"]
    officer = people["duty_officer"]
    return {
        "water": water,
        "fire": fire,
        "own": own,
        "theirs": theirs,
        "own_activation": plans.propose_activation(own, plan, level, officer),
        "their_activation": plans.propose_activation(theirs, plan, level, officer),
    }


def _shift_body(room, days):
    from django.utils import timezone

    start = timezone.now().replace(microsecond=0) + timezone.timedelta(days=days)
    return {
        "duty_room": room.pk,
        "starts_at": start.isoformat(),
        "ends_at": (start + timezone.timedelta(hours=8)).isoformat(),
    }


def test_a_bureau_duty_leader_acts_for_its_own_room_and_never_office_wide(clients, people):
    from alerts.models import Alert, SupervisionCase
    from alerts.services import open_case

    world = _bureau_world(people)
    water, fire = world["water"], world["fire"]
    api = clients["room_leader"]

    def code(method, url, body=None):
        with transaction.atomic():
            response = getattr(api, method)(url, body or {}, format="json")
            transaction.set_rollback(True)
        return response.status_code

    own_alert = Alert.objects.filter(department=water).first()
    fire_alert = Alert.objects.filter(department=fire).first()
    own_case = SupervisionCase.objects.filter(departments=water).first()
    other_case = SupervisionCase.objects.exclude(departments=water).first() or open_case(
        title="消防通道整改", content="限期整改", incident=world["theirs"], departments=[fire]
    )
    allowed = [
        ("get", f"/api/v1/alerts/{own_alert.pk}/", None),
        ("get", f"/api/v1/incidents/{world['own'].pk}/", None),
        ("get", f"/api/v1/incidents/{world['theirs'].pk}/", None),  # alerted: it sees it
        ("post", "/api/v1/shifts/", _shift_body(water, 60)),
        ("post", f"/api/v1/activations/{world['own_activation'].pk}/approve/", None),
        ("get", f"/api/v1/supervision/{own_case.pk}/", None),
        ("get", f"/api/v1/duty/roster-export/?department={water.pk}", None),
    ]
    refused = [
        ("get", f"/api/v1/alerts/{fire_alert.pk}/", None),  # another department's alert
        ("post", "/api/v1/shifts/", _shift_body(fire, 61)),  # another room's roster
        ("post", f"/api/v1/activations/{world['their_activation'].pk}/approve/", None),  # not its incident
        ("post", f"/api/v1/activations/{world['their_activation'].pk}/reject/", None),
        ("post", f"/api/v1/incidents/{world['theirs'].pk}/transition/", {"to": "closed"}),
        ("post", f"/api/v1/supervision/{own_case.pk}/assign/", {"departments": [fire.pk]}),  # the office's
        ("get", f"/api/v1/supervision/{other_case.pk}/", None),
        ("post", "/api/v1/alerts/", {"incident": world["own"].pk, "department": fire.pk, "duty": "x"}),
        ("get", "/api/v1/board/snapshot/", None),
        ("get", "/api/v1/deliveries/", None),
        ("get", f"/api/v1/duty/roster-export/?department={fire.pk}", None),
    ]
    problems = [f"{m.upper()} {u}: {c} (allowed)" for m, u, b in allowed if (c := code(m, u, b)) in (401, 403, 404)]
    problems += [f"{m.upper()} {u}: {c} (refused)" for m, u, b in refused if (c := code(m, u, b)) not in (403, 404)]
    assert not problems, "\n".join(problems)
    # The office's duty leader approves either; the leader too.
    for role in ("duty_leader", "leader"):
        assert policy.may(people[role], "activation.approve", world["theirs"]), role
    # What is refused with 403 (not hidden): the writes on what it may see.
    assert code("post", "/api/v1/shifts/", _shift_body(fire, 62)) == 403
    assert code("post", f"/api/v1/activations/{world['their_activation'].pk}/approve/") == 403
    assert code("post", f"/api/v1/supervision/{own_case.pk}/assign/", {"departments": [fire.pk]}) == 403


def test_the_room_scopes_in_the_policy(people, make_person):
    """OFFICE and ROOM: the office's duty staff act for the jurisdiction, another room's for its subtree."""
    from dutyops.models import Department

    water = Department.objects.get(code="LJ-SWJ")
    office_leader, room_leader = people["duty_leader"], people["room_leader"]
    assert policy.scope(office_leader, "alert.view") is None
    assert policy.scope(room_leader, "alert.view") == frozenset(policy.subtree(water.pk))
    assert policy.stream_rooms(room_leader) == frozenset(policy.subtree(water.pk))
    assert not policy.sees_jurisdiction(room_leader) and policy.sees_jurisdiction(office_leader)
    assert not policy.may(room_leader, "alert.dispatch") and not policy.may(room_leader, "case.manage")
    assert policy.may(room_leader, "roster.write", water)
    assert policy.landing(room_leader) == "alerts-console"  # its department's desk, not the leaders' board
    assert policy.landing(office_leader) == "board-leader"
    officer = make_person("duty_officer", dept=water)
    assert policy.scope(officer, "incident.view") == frozenset(policy.subtree(water.pk))
    assert not policy.may(officer, "page.console") and policy.may(officer, "page.department_console")


def test_a_room_turned_duty_office_acts_for_the_jurisdiction_at_once(make_person, make_department):
    """Who is in the duty office is kept per process; an edit of a department applies
    to the next question, for a person read without their department too."""
    from dutyops.models import Person

    room = make_department("某区应急局", kind="district")
    pk = make_person("duty_leader", dept=room).pk
    assert policy.scope(Person.objects.get(pk=pk), "alert.view") == frozenset(policy.subtree(room.pk))
    room.kind = "duty_office"
    room.save()
    assert policy.scope(Person.objects.get(pk=pk), "alert.view") is None
    room.kind = "district"
    room.save()
    assert policy.scope(Person.objects.get(pk=pk), "alert.view") is not None
