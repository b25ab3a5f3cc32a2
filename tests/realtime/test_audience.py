"""Who hears what (issue 16), through a real daphne: two departments with alerts on
one incident. Each liaison's live socket, its replay (`?after=`), `events/?after=`
and the incident's timeline carry its own department's feedback and supervision and
the incident's own facts, never the other department's text."""

import asyncio
import json
import urllib.request

from django.db import transaction

from alerts import services as alerts
from incidents.models import Incident
from realtime.selectors import latest_seq
from tests.conftest import token_for
from tests.wsclient import receive_for, run, stream_url

FIRE_TEXT, WATER_TEXT = "消防秘密反馈FIRE-7731", "水利秘密反馈WATER-4419"
FIRE_CASE, FIRE_PROGRESS = "消防督办FIRECASE-2210", "消防进展FIREPROG-5512"


def _http(server, method, path, token, body=None):
    request = urllib.request.Request(
        f"{server.url}{path}",
        data=None if body is None else json.dumps(body).encode(),
        method=method,
        headers={"Authorization": f"Token {token}", "Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=20) as response:  # noqa: S310 - the test's own server
        return response.status, json.loads(response.read() or b"null")


def _world(make_person, make_department, department):
    water = make_department("水利局", parent=department)
    fire = make_department("消防救援支队", parent=department)
    with transaction.atomic():
        incident = Incident.objects.create(title="江边仓库火情", category="accident_disaster", duty_room=department)
        water_alert = alerts.dispatch_alert(incident=incident, department=water, duty="排水", ack_minutes=30)
        fire_alert = alerts.dispatch_alert(incident=incident, department=fire, duty="灭火", ack_minutes=30)
    return {
        "incident": incident,
        "alerts": {"water": water_alert, "fire": fire_alert},
        "liaisons": {"water": make_person("liaison", dept=water), "fire": make_person("liaison", dept=fire)},
        "water_leader": make_person("duty_leader", dept=water),  # the water bureau's own duty leader
        "officer": make_person("duty_officer"),  # the office's
        "fire": fire,
    }


def _each_department_writes(server, world, tokens, officer):
    """Fire and water sign for and feed back on their own alerts; the office opens a case
    for the fire brigade, which reports progress; last, the incident moves to verifying."""
    incident = world["incident"]
    for name, text in (("fire", FIRE_TEXT), ("water", WATER_TEXT)):
        alert = world["alerts"][name].pk
        assert _http(server, "POST", f"/api/v1/alerts/{alert}/acknowledge/", tokens[name])[0] == 200
        assert _http(server, "POST", f"/api/v1/alerts/{alert}/feedback/", tokens[name], {"text": text})[0] == 201
    case = {
        "title": FIRE_CASE,
        "content": "限期整改消防通道",
        "incident": incident.pk,
        "departments": [world["fire"].pk],
    }
    status, created = _http(server, "POST", "/api/v1/supervision/", officer, case)
    assert status == 201, created
    progress = {"text": FIRE_PROGRESS}
    assert _http(server, "POST", f"/api/v1/supervision/{created['id']}/progress/", tokens["fire"], progress)[0] == 200
    # Last, an incident-level change: every one of them hears it.
    transition = {"to": "verifying", "reason": ""}
    assert _http(server, "POST", f"/api/v1/incidents/{incident.pk}/transition/", officer, transition)[0] == 200


def _incident_verified(messages):
    return any(m["type"] == "incident.updated" and m["data"].get("to") == "verifying" for m in messages)


def _heard_live_while(server, tokens, writes):
    """{name: what its live socket heard} while `writes` runs, until the incident's change."""

    async def live():
        listeners = {
            name: asyncio.create_task(receive_for(stream_url(server, token=token), 20, until=_incident_verified))
            for name, token in tokens.items()
        }
        await asyncio.sleep(1.0)  # connected and registered with the hub
        await asyncio.to_thread(writes)
        return {name: await task for name, task in listeners.items()}

    return run(live())


def _read_afterwards(server, tokens, incident, start):
    """{name: {way: what it read}}: its replay from `start`, events/?after=, the incident's timeline."""
    read = {}
    for name, token in tokens.items():
        replay = run(receive_for(stream_url(server, token=token, after=start), 10, until=_incident_verified))
        read[name] = {
            "replay": replay,
            "events/": _http(server, "GET", f"/api/v1/events/?after={start}", token)[1],
            "timeline": _http(server, "GET", f"/api/v1/incidents/{incident.pk}/", token)[1]["timeline"],
        }
    return read


def _leaks_and_gaps(read):
    """What each liaison read of another department's business, and what it missed of its own."""
    theirs = {
        "fire": (WATER_TEXT,),
        "water": (FIRE_TEXT, FIRE_CASE, FIRE_PROGRESS),
        "water_leader": (FIRE_TEXT, FIRE_CASE, FIRE_PROGRESS),
    }
    own = {"fire": (FIRE_TEXT, FIRE_CASE, FIRE_PROGRESS), "water": (WATER_TEXT,), "water_leader": (WATER_TEXT,)}
    problems = []
    for name, ways in read.items():
        for where, found in ways.items():
            text = json.dumps(found, ensure_ascii=False)
            problems += [f"{name} {where}: has {t}" for t in theirs[name] if t in text]
            problems += [f"{name} {where}: lacks its own {t}" for t in own[name] if t not in text]
            if "verifying" not in text:
                problems.append(f"{name} {where}: lacks the incident's own change")
    return problems


def test_two_departments_on_one_incident_never_hear_each_others_business(
    servers, make_person, make_department, department
):
    world = _world(make_person, make_department, department)
    server = servers.daphne()
    tokens = {name: token_for(p) for name, p in world["liaisons"].items()}
    tokens["water_leader"] = token_for(world["water_leader"])
    officer = token_for(world["officer"])
    start = latest_seq()
    incident = world["incident"]

    heard = _heard_live_while(server, tokens, lambda: _each_department_writes(server, world, tokens, officer))
    read = _read_afterwards(server, tokens, incident, start)
    for name, ways in read.items():
        read[name] = {"live": heard[name], **ways}
    problems = _leaks_and_gaps(read)
    assert not problems, "\n".join(problems)
    # The office hears all of it.
    everything = json.dumps(
        _http(server, "GET", f"/api/v1/incidents/{incident.pk}/", officer)[1]["timeline"], ensure_ascii=False
    )
    assert all(t in everything for t in (FIRE_TEXT, WATER_TEXT, FIRE_CASE, FIRE_PROGRESS))


def test_the_migration_takes_other_departments_out_of_old_alert_and_case_events(db, make_department, department):
    """Events stored before issue 16 reached every department alerted on the incident:
    realtime 0004 keeps an alert's (a case's) event for its own departments only, and
    leaves the incident-level events and every event row as they were."""
    import importlib
    from types import SimpleNamespace

    from django.apps import apps
    from django.db import connection
    from django.utils import timezone

    from realtime.models import Event, EventAudience

    migration = importlib.import_module("realtime.migrations.0004_scoped_audience")
    water, fire = make_department("水利局"), make_department("消防")
    both = (water.pk, fire.pk)
    stored = {
        "alert.fed_back": ({"department": fire.pk, "text": FIRE_TEXT}, both),
        "supervision.progress": ({"departments": [fire.pk], "text": FIRE_PROGRESS}, both),
        "incident.updated": ({"id": 1}, both),
        "alert.created": ({"text": "an old payload without its department"}, both),
    }
    seqs = {}
    for type_, (data, audience) in stored.items():
        event = Event.objects.create(type=type_, data=data, at=timezone.now(), incident_id=1)
        EventAudience.objects.bulk_create([EventAudience(event=event, department_id=d) for d in audience])
        seqs[type_] = event.seq
    if connection.vendor == "postgresql":  # the rows' deferred checks now, as a migration's own transaction has none
        with connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    migration.forward(apps, SimpleNamespace(connection=connection))  # all it asks of the schema editor

    def audience(type_):
        return set(EventAudience.objects.filter(event_id=seqs[type_]).values_list("department_id", flat=True))

    assert audience("alert.fed_back") == {fire.pk} and audience("supervision.progress") == {fire.pk}
    assert audience("incident.updated") == set(both)  # the incident's own facts: both still see them
    assert audience("alert.created") == set(both)  # nothing to tell who it was for: left as it was
    assert Event.objects.filter(seq__in=seqs.values()).count() == 4


def test_a_department_alerted_by_a_writer_ahead_in_the_stream_hears_the_next_incident_event(
    db, monkeypatch, make_department, department
):
    """An event's audience is read once the stream lock is ours (realtime/services.py
    _append): a writer ahead of us that alerted a new department on the incident has
    committed by then, so that department hears our incident event too."""
    from incidents.services import incident_data
    from realtime import services as stream
    from realtime.models import Event, EventAudience

    incident = Incident.objects.create(title="江边仓库火情", category="accident_disaster", duty_room=department)
    traffic = make_department("交通运输局", parent=department)
    take_lock, ahead = stream.lock_stream, {}

    def lock_once_the_writer_ahead_is_done():
        take_lock()
        if not ahead:  # while we waited: the writer ahead alerts the traffic bureau (its own append and event)
            ahead["alert"] = None
            ahead["alert"] = alerts.dispatch_alert(incident=incident, department=traffic, duty="封路", ack_minutes=30)

    monkeypatch.setattr(stream, "lock_stream", lock_once_the_writer_ahead_is_done)
    with transaction.atomic():
        event = stream.emit("incident.updated", incident_data(incident), incident_id=incident.pk)
    alerted = Event.objects.get(type="alert.created", data__id=ahead["alert"].pk)
    assert alerted.seq < event.seq  # the alert comes first in the stream...
    audience = set(EventAudience.objects.filter(event_id=event.seq).values_list("department_id", flat=True))
    assert traffic.pk in audience  # ...so the traffic bureau hears the incident event after it
