"""The board announces a preferred plan (首选预案) only when one leads alone: on a tie,
or with the subtype unknown, the live feed says so instead (snapshot and WebSocket)."""

from django.test import Client

from dutyops import seed as org_seed
from incidents import services as incident_services
from incidents.seed import seed_reference_data
from plans import seed as plan_seed
from plans import services as plan_services
from tests.conftest import token_for
from tests.plans.conftest import issue
from tests.wsclient import receive_for, run, stream_url

SWINE = {
    "kind": "first",
    "channel": "phone",
    "category": "public_health",
    "title": "猪场死了好多猪",
    "description": "疑似非洲猪瘟，已封锁扑杀",
}


def two_level_plans():
    for code in ("LJ-TIE-A", "LJ-TIE-B"):
        issue(
            {
                "code": code,
                "title": f"动物疫情预案{code[-1]}",
                "kind": "specific",
                "category": "public_health",
                "subtypes": ["animal_epidemic"],
                "levels": [{"level": "IV"}],
            }
        )


def matched_summaries(events, incident_id):
    return [
        e["data"]["summary"] for e in events if e["type"] == "plan.matched" and e["data"]["incident"] == incident_id
    ]


def test_the_board_snapshot_announces_no_preferred_plan_on_a_tie(db, make_person):
    org_seed.seed()
    seed_reference_data()
    plan_services.import_files(plan_services.plan_files([plan_seed.LIBRARY]))
    two_level_plans()
    officer = make_person("duty_officer")
    _report, tie, _dups = incident_services.intake(SWINE, officer)
    _report, clear, _dups = incident_services.intake(
        {**SWINE, "title": "城区多处积水，车辆被淹", "description": "", "category": "natural_disaster"}, officer
    )
    board = Client()
    board.force_login(make_person("board"))
    snapshot = board.get("/api/v1/board/snapshot/").json()
    [summary] = matched_summaries(snapshot["events"], tie.pk)
    assert "首选" not in summary and "并列" in summary
    assert any(
        s.startswith("首选预案：《临江市防汛抗旱应急预案》") for s in matched_summaries(snapshot["events"], clear.pk)
    )


def test_the_live_stream_announces_a_tie_as_a_tie(servers, make_person):
    seed_reference_data()
    two_level_plans()
    officer = make_person("duty_officer")
    server = servers.daphne()
    _report, tie, _dups = incident_services.intake(SWINE, officer)
    events = run(
        receive_for(
            stream_url(server, token=token_for(make_person("duty_leader")), after=0),
            10,
            until=lambda got: matched_summaries(got, tie.pk),
        )
    )
    [summary] = matched_summaries(events, tie.pk)
    assert "首选" not in summary and summary.startswith("预案匹配并列：")
