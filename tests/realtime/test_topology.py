"""The production topology without Docker: two daphne processes and two workers
on one database (and, in the second pass, one Redis). A report taken in on one
process, an alert signed for on the other: every board sees all of it, in order,
and the liaison sees only its own department's part."""

import asyncio
import json
import urllib.error
import urllib.request

from tests.conftest import token_for
from tests.wsclient import receive_for, run, stream_url


def _call(server, token, method, path, body=None):
    req = urllib.request.Request(
        f"{server.url}/api/v1/{path}",
        method=method,
        data=json.dumps(body or {}).encode(),
        headers={"Authorization": f"Token {token}", "Content-Type": "application/json"},
    )
    try:
        with urllib.request.urlopen(req, timeout=20) as resp:
            return resp.status, json.loads(resp.read() or b"{}")
    except urllib.error.HTTPError as exc:
        return exc.code, json.loads(exc.read() or b"{}")


def test_report_on_one_process_alert_signed_on_another_reaches_every_board(servers, make_person, make_department):
    from incidents.seed import seed_reference_data

    seed_reference_data()  # the category/subtype taxonomy and the clock policy
    water, fire = make_department("水利局"), make_department("消防救援支队")
    officer = make_person("duty_officer")
    liaison, other_liaison = make_person("liaison", dept=water), make_person("liaison", dept=fire)
    a, b = servers.daphne(), servers.daphne()
    servers.worker(), servers.worker()
    tokens = {p: token_for(p) for p in (officer, liaison, other_liaison)}

    def board_done(messages):
        return any(m["type"] == "alert.acknowledged" for m in messages)

    async def scenario():
        board = asyncio.create_task(receive_for(stream_url(a, token=tokens[officer]), 30, until=board_done))
        own = asyncio.create_task(receive_for(stream_url(b, token=tokens[liaison]), 30, until=board_done))
        other = asyncio.create_task(receive_for(stream_url(b, token=tokens[other_liaison]), 8))
        await asyncio.sleep(1)
        status, report = await asyncio.to_thread(
            _call,
            a,
            tokens[officer],
            "POST",
            "reports/",
            {
                "channel": "phone",
                "kind": "first",
                "title": "橘子洲段水位超警戒",
                "description": "水位超警戒 0.5 米",
                "category": "natural_disaster",
                "subtype": "flood",
                "grade": "III",
                "latitude": 28.2,
                "longitude": 112.96,
                "reporter_name": "李四",
                "reporter_phone": "13800000000",
            },
        )
        assert status == 201, report
        status, alert = await asyncio.to_thread(
            _call,
            a,
            tokens[officer],
            "POST",
            "alerts/",
            {
                "incident": report["incident"],
                "department": water.pk,
                "duty": "加强巡堤查险",
                "ack_minutes": 15,
            },
        )
        assert status == 201, alert
        status, _ = await asyncio.to_thread(_call, b, tokens[liaison], "POST", f"alerts/{alert['id']}/acknowledge/")
        assert status == 200
        return await board, await own, await other, report["incident"], alert["id"]

    board, own, other, incident_id, alert_id = run(scenario())
    board_types = [m["type"] for m in board]
    for expected in ("report.created", "alert.created", "alert.acknowledged"):
        assert expected in board_types
    assert [m["seq"] for m in board] == sorted({m["seq"] for m in board})
    own_types = [m["type"] for m in own]
    assert own_types.index("alert.created") < own_types.index("alert.acknowledged")
    assert all(m["data"].get("department") in (None, water.pk) for m in own if m["type"].startswith("alert."))
    assert not [m for m in other if m["type"].startswith("alert.") or m["data"].get("incident") == incident_id]
