"""Intake through a real daphne, a real worker firing the statutory clock, and the
live stream delivering incident.created, report.created and report.overdue."""

import asyncio
import json
import urllib.request
from datetime import timedelta

from django.utils import timezone

from incidents.seed import seed_reference_data
from tests.conftest import token_for
from tests.wsclient import receive_for, run, stream_url


def _post(server, token, path, body):
    request = urllib.request.Request(
        f"{server.url}{path}",
        data=json.dumps(body).encode(),
        headers={"Authorization": f"Token {token}", "Content-Type": "application/json"},
        method="POST",
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        return response.status, json.loads(response.read())


def test_grade_ii_report_goes_overdue_live(servers, make_person):
    seed_reference_data()
    token = token_for(make_person("duty_officer"))
    watcher = token_for(make_person("duty_leader"))
    server = servers.daphne()
    servers.worker()
    received = timezone.now() - timedelta(minutes=31)  # the 30-minute phone clock has already run out

    async def main():
        listener = asyncio.create_task(
            receive_for(
                stream_url(server, token=watcher, after=0),
                60,  # returns as soon as it arrives; the bound only matters on a loaded machine
                until=lambda m: any(e["type"] == "report.overdue" for e in m),
            )
        )
        await asyncio.sleep(0.5)
        status, body = await asyncio.to_thread(
            _post,
            server,
            token,
            "/api/v1/reports/",
            {
                "kind": "first",
                "channel": "lower_level",
                "title": "临江化工园区储罐泄漏",
                "category": "accident_disaster",
                "subtype": "hazardous_chemicals",
                "grade": "II",
                "received_at": received.isoformat(),
                "location_text": "临江化工园区",
            },
        )
        return status, body, await listener

    status, body, messages = run(main())
    assert status == 201
    mine = [m for m in messages if m["data"].get("incident", m["data"].get("id")) == body["incident"]]
    types = [m["type"] for m in mine]
    assert types[:2] == ["incident.created", "report.created"]
    overdue = [m for m in mine if m["type"] == "report.overdue"]
    assert overdue and overdue[0]["data"]["clock"] == "phone"
    seqs = [m["seq"] for m in messages]
    assert seqs == sorted(seqs)
