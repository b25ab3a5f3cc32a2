"""End to end on real processes: a roster change and a missed check-in reach the
room's liaison over the WebSocket (daphne) and the worker fires the timer."""

import datetime
import json
import urllib.request

from django.utils import timezone

from duty.models import Absence, DutyRule
from realtime.models import Event
from tests.conftest import token_for
from tests.wsclient import receive_for, run, stream_url


def test_shift_change_and_missed_checkin_stream_live_to_the_room(servers, make_person, make_department):
    water, fire = make_department("水利局值班室"), make_department("消防值班室")
    DutyRule.objects.create(duty_room=water, min_officers=1, checkin_grace_minutes=0)
    writer = make_person("duty_leader", full_name="排班领导")
    water_liaison = make_person("liaison", dept=water, full_name="水利联络员")
    fire_liaison = make_person("liaison", dept=fire)
    on_duty = make_person("liaison", dept=water, full_name="水利值班员")
    server = servers.daphne()
    servers.worker()
    after = Event.objects.order_by("-seq").values_list("seq", flat=True).first() or 0

    starts = timezone.now() + datetime.timedelta(seconds=2)
    body = json.dumps(
        {
            "duty_room": water.pk,
            "starts_at": starts.isoformat(),
            "ends_at": (starts + datetime.timedelta(hours=24)).isoformat(),
            "officers": [on_duty.pk],
        }
    ).encode()
    request = urllib.request.Request(
        f"{server.url}/api/v1/shifts/",
        data=body,
        headers={"Authorization": f"Token {token_for(writer)}", "Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=10) as resp:
        assert resp.status == 201

    def done(messages):
        kinds = {(m["type"], m["data"].get("action")) for m in messages}
        return ("absence.recorded", None) in kinds and ("shift.changed", "started") in kinds

    got = run(receive_for(stream_url(server, token=token_for(water_liaison), after=after), 20, until=done))
    types = [m["type"] for m in got]
    assert types[0] == "shift.changed" and got[0]["data"]["action"] == "created"
    # The shift started: the board learns who is on now, without polling.
    started = next(m for m in got if m["type"] == "shift.changed" and m["data"]["action"] == "started")
    assert started["data"]["officers"] == [on_duty.pk]
    absence = next(m for m in got if m["type"] == "absence.recorded")
    assert absence["data"]["person"] == on_duty.pk and "水利值班员" in absence["data"]["summary"]
    assert Absence.objects.filter(person=on_duty, kind="missed_checkin").count() == 1

    other = run(receive_for(stream_url(server, token=token_for(fire_liaison), after=after), 2))
    assert not [m for m in other if m["data"].get("duty_room") == water.pk]
