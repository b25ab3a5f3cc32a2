"""Why a plan fits is stored as data (codes and values) and read in the reader's language:
the plan-matches API per request, the plan.matched event live and on replay, the board.
Events stored with their reasons as Chinese text still read as written."""

import asyncio
import json

from django.test import Client
from django.utils import timezone, translation

from incidents import services as incident_services
from incidents.models import Subtype
from incidents.seed import seed_reference_data
from plans import reasons
from realtime.models import Event
from realtime.wire import Rendered, envelope, message_of
from tests.conftest import token_for
from tests.plans.conftest import issue
from tests.wsclient import receive_for, run, stream_url

FLOOD = {"title": "西河漫堤", "category": "natural_disaster", "subtype": "flood", "channel": "phone", "kind": "first"}


def flood_plan():
    """A flood plan whose level II wants 3 deaths and whose level IV always holds."""
    return issue(
        {
            "code": "T-FX-REASONS",
            "title": "西河防汛预案",
            "kind": "specific",
            "category": "natural_disaster",
            "subtypes": ["flood"],
            "levels": [{"level": "II", "criteria": {"min_deaths": 3}}, {"level": "IV"}],
        }
    )


def expected(language):
    name = Subtype.objects.get(code="flood").name
    if language == "en":
        return [
            f"Subtype {name} is within this plan's scope (Natural disaster)",
            "Level IV response: no further conditions",
            "Level II response not reached: Deaths not reported (required ≥ 3)",
        ]
    return [
        f"事件子类 {name} 在本预案适用范围内（自然灾害）",
        "四级响应无附加条件",
        "二级响应未达到：死亡人数未报（要求 ≥ 3）",
    ]


def matched(events, incident_id):
    return [e["data"] for e in events if e["type"] == "plan.matched" and e["data"]["incident"] == incident_id]


def test_the_api_gives_the_reasons_in_the_requests_language_and_their_codes(db, officer, client_for):
    seed_reference_data()
    flood_plan()
    _report, incident, _dups = incident_services.intake(FLOOD, officer)
    client = client_for(officer)
    url = f"/api/v1/incidents/{incident.pk}/plan-matches/"
    [zh] = client.get(url, HTTP_ACCEPT_LANGUAGE="zh-CN").json()
    [en] = client.get(url, HTTP_ACCEPT_LANGUAGE="en").json()
    assert zh["reasons"] == expected("zh-hans")  # as integrators read them before: a list of lines
    assert en["reasons"] == expected("en")
    assert zh["reason_codes"] == en["reason_codes"]
    assert [r["code"] for r in en["reason_codes"]] == ["subtype", "level_held", "level_missed"]
    assert en["reason_codes"][2]["criteria"] == [{"code": "deaths", "held": False, "have": None, "need": 3}]


def test_the_event_stores_codes_and_every_reader_gets_lines_in_their_language(db, officer, make_person, client_for):
    seed_reference_data()
    flood_plan()
    _report, incident, _dups = incident_services.intake(FLOOD, officer)
    [event] = Event.objects.filter(type="plan.matched", incident_id=incident.pk)
    assert "reasons" not in event.data and event.data["reason_codes"][0]["code"] == "subtype"
    with translation.override("en"):
        assert envelope(event)["data"]["reasons"] == expected("en")
    client = client_for(officer)
    url = f"/api/v1/events/?after={event.seq - 1}"
    for language, header in (("en", "en-US,en;q=0.9"), ("zh-hans", "zh-CN")):
        [data] = matched(client.get(url, HTTP_ACCEPT_LANGUAGE=header).json()["results"], incident.pk)
        assert data["reasons"] == expected(language)
    board = Client()
    board.force_login(make_person("board"))
    snapshot = board.get("/api/v1/board/snapshot/", HTTP_ACCEPT_LANGUAGE="en").json()
    [data] = matched(snapshot["events"], incident.pk)
    assert data["reasons"] == expected("en") and data["summary"].startswith("Preferred plan")


def test_the_hub_renders_the_reasons_once_per_language(db, officer, monkeypatch):
    seed_reference_data()
    flood_plan()
    _report, incident, _dups = incident_services.intake(FLOOD, officer)
    rendered = Rendered(message_of(Event.objects.get(type="plan.matched", incident_id=incident.pk), []))
    calls, real = [], reasons.texts
    monkeypatch.setattr(reasons, "texts", lambda codes: calls.append(1) or real(codes))
    texts = {lang: rendered.text(lang) for lang in ("en", "zh-hans", "en", "zh-hans")}
    assert len(calls) == 2  # one rendering per language, however many sockets read it
    assert json.loads(texts["en"])["data"]["reasons"] == expected("en")
    assert json.loads(texts["zh-hans"])["data"]["reasons"] == expected("zh-hans")


def test_old_events_with_reasons_as_text_read_as_written(db, officer, client_for):
    """plan.matched stored before the codes: its reasons are Chinese text, shown to every reader."""
    data = {
        "incident": 1,
        "gap": False,
        "category": "natural_disaster",
        "subtype": "flood",
        "plan": 9,
        "level": "IV",
        "score": 60,
        "preferred": True,
        "role": "preferred",
        "title": "旧预案",
        "reasons": ["事件子类 洪涝 在本预案适用范围内（自然灾害）", "四级响应无附加条件"],
    }
    old = Event.objects.create(type="plan.matched", at=timezone.now(), data=data)
    stored_line = Event.objects.create(type="plan.matched", at=timezone.now(), data={**data, "summary": "首选预案：旧"})
    body = client_for(officer).get(f"/api/v1/events/?after={old.seq - 1}", HTTP_ACCEPT_LANGUAGE="en").json()
    first, second = body["results"][:2]
    assert first["data"]["reasons"] == data["reasons"] and first["data"]["summary"].startswith("Preferred plan")
    assert second["data"]["reasons"] == data["reasons"] and second["data"]["summary"] == "首选预案：旧"
    for event in (old, stored_line):
        assert json.loads(Rendered(message_of(event, [])).text("en"))["data"]["reasons"] == data["reasons"]
    assert reasons.texts(["旧理由"]) == ["旧理由"]  # a line stored as text stays as written


def test_an_english_reader_of_the_board_gets_english_reasons_live_and_on_replay(servers, make_person):
    seed_reference_data()
    flood_plan()
    officer = make_person("duty_officer")
    token = token_for(make_person("duty_leader"))
    server = servers.daphne()
    _report, before, _dups = incident_services.intake(FLOOD, officer)  # read on replay

    def two(got):
        return len([e for e in got if e["type"] == "plan.matched"]) >= 2

    async def both():
        readers = [
            asyncio.create_task(receive_for(stream_url(server, token, after=0), 10, headers=headers, until=two))
            for headers in ({"Accept-Language": "en-US,en;q=0.9"}, {"Cookie": "django_language=zh-hans"})
        ]
        await asyncio.sleep(1.5)
        _r, live, _d = await asyncio.to_thread(incident_services.intake, {**FLOOD, "title": "东河漫堤"}, officer)
        return [await reader for reader in readers], live

    (en, zh), live = run(both())
    for incident in (before, live):
        [en_data] = matched(en, incident.pk)
        [zh_data] = matched(zh, incident.pk)
        assert en_data["reasons"] == expected("en") and en_data["summary"].startswith("Preferred plan")
        assert zh_data["reasons"] == expected("zh-hans") and zh_data["summary"].startswith("首选预案")
