"""Typed events: emit() refuses what realtime/events.py does not declare; the stored event
keeps data, not prose; its line is rendered when read, in the reader's language, once
per language per event on the fan-out path; rows stored with a summary still show it."""

import asyncio
import json
from unittest import mock

import pytest
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext

from realtime import events
from realtime.hub import STAFF, Hub
from realtime.models import Event
from realtime.services import emit
from realtime.wire import Rendered, message_of, with_summary
from tests.conftest import token_for
from tests.wsclient import receive_for, run, stream_url


def _department(**extra):
    return {"id": 7, "code": "T-1", "name": "测试水利局", "kind": "department", "parent": None, **extra}


def test_emit_refuses_an_undeclared_type(db):
    with pytest.raises(events.EventSchemaError, match="undeclared event type"), transaction.atomic():
        emit("department.renamed", _department())
    assert not Event.objects.filter(type="department.renamed").exists()


def test_emit_refuses_an_undeclared_field_and_a_missing_one(db):
    with pytest.raises(events.EventSchemaError, match="summary"), transaction.atomic():
        emit("department.updated", _department(summary="单位信息更新：测试水利局"))
    with pytest.raises(events.EventSchemaError, match="missing field"), transaction.atomic():
        emit("department.updated", {"id": 7, "code": "T-1"})


def test_every_type_is_declared_once_with_its_fields():
    types = events.all_types()
    assert len(types) == len(set(types)) >= 70
    for type_ in types:
        decl = events.declared(type_)
        assert "summary" not in decl.fields, type_  # a line is rendered when read, never stored
        assert decl.required <= decl.fields


def test_the_stored_event_keeps_data_and_reads_in_the_readers_language(db):
    with transaction.atomic():
        event = emit("department.updated", _department())
    stored = Event.objects.get(seq=event.seq)
    assert "summary" not in stored.data
    with translation.override("zh-hans"):
        assert stored.summary == "单位信息更新：测试水利局"
    with translation.override("en"):
        assert stored.summary == "Department updated: 测试水利局"


def test_http_events_read_in_the_requests_language(officer, client_for):
    with transaction.atomic():
        event = emit("department.updated", _department())
    client = client_for(officer)
    zh = client.get(f"/api/v1/events/?after={event.seq - 1}", HTTP_ACCEPT_LANGUAGE="zh-CN").json()
    en = client.get(f"/api/v1/events/?after={event.seq - 1}", HTTP_ACCEPT_LANGUAGE="en").json()
    assert zh["results"][0]["data"]["summary"] == "单位信息更新：测试水利局"
    assert en["results"][0]["data"]["summary"] == "Department updated: 测试水利局"
    assert set(en["results"][0]) == {"seq", "type", "at", "data"}  # the envelope stays as CONTRACT.md says


def test_an_old_row_with_a_stored_summary_shows_it_as_written(db, officer, client_for):
    """Events written before issue 15 carry their line in the data: every reader sees it."""
    data = {"action": "created", "duty_room": 1, "duty_room_name": "旧值班室", "summary": "旧记录：班次新增"}
    old = Event.objects.create(type="shift.changed", at=timezone.now(), data=data)
    body = client_for(officer).get(f"/api/v1/events/?after={old.seq - 1}", HTTP_ACCEPT_LANGUAGE="en").json()
    assert body["results"][0]["data"]["summary"] == "旧记录：班次新增"
    assert Rendered(message_of(old, [])).text("en") == Rendered(message_of(old, [])).text("zh-hans")


class _Socket:
    def __init__(self, language):
        self.rooms, self.language, self.got, self.frames = (STAFF,), language, [], []

    async def take(self, run, data):
        self.got += [text for _seq, text, _frame in run]
        self.frames.append(data)


def test_the_hub_renders_and_frames_once_per_language_not_per_socket(db):
    with transaction.atomic():
        event = emit("department.updated", _department())
    message = message_of(Event.objects.get(seq=event.seq), [])

    async def deliver():
        hub = Hub()
        sockets = [_Socket("zh-hans") for _ in range(300)] + [_Socket("en") for _ in range(200)]
        for socket in sockets:
            hub.add(socket)
        hub.last_seq = message["seq"] - 1
        with mock.patch("realtime.wire.events.describe", wraps=events.describe) as describe:
            await hub._deliver([message])
        return sockets, describe.call_count

    sockets, renders = asyncio.run(deliver())
    assert renders == 2  # one line per language, for 500 sockets
    zh = {json.loads(s.got[0])["data"]["summary"] for s in sockets if s.language == "zh-hans"}
    en = {json.loads(s.got[0])["data"]["summary"] for s in sockets if s.language == "en"}
    assert zh == {"单位信息更新：测试水利局"} and en == {"Department updated: 测试水利局"}
    assert {len(s.got) for s in sockets} == {1}
    assert len({id(s.frames[0]) for s in sockets}) == 2  # one frame per language, shared by its sockets


def test_an_english_reader_of_the_board_reads_english_live_and_on_replay(servers, officer):
    server = servers.daphne()
    token = token_for(officer)
    with transaction.atomic():
        before = emit("department.updated", _department(name="回放单位")).seq

    async def both():
        en = asyncio.create_task(
            receive_for(
                stream_url(server, token, after=before - 1),
                6,
                headers={"Accept-Language": "en-US,en;q=0.9"},
                until=lambda m: len(m) >= 2,
            )
        )
        zh = asyncio.create_task(
            receive_for(
                stream_url(server, token, after=before - 1),
                6,
                headers={"Cookie": "django_language=zh-hans"},
                until=lambda m: len(m) >= 2,
            )
        )
        await asyncio.sleep(1.5)
        await asyncio.to_thread(_emit_live)
        return await en, await zh

    en, zh = run(both())
    assert [m["data"]["summary"] for m in en[:2]] == ["Department updated: 回放单位", "Department updated: 实时单位"]
    assert [m["data"]["summary"] for m in zh[:2]] == ["单位信息更新：回放单位", "单位信息更新：实时单位"]


def _emit_live():
    with transaction.atomic():
        emit("department.updated", _department(name="实时单位"))


def test_fields_a_type_registers_are_rendered_per_language_and_a_stored_one_wins(db, monkeypatch):
    """@fields: lines besides the summary (plan.matched's reasons), spliced like it."""
    monkeypatch.setitem(events._FIELDS, "department.updated", lambda d: {"kind_label": gettext("单位"), "name": "x"})
    with transaction.atomic():
        event = emit("department.updated", _department())
    rendered = Rendered(message_of(Event.objects.get(seq=event.seq), []))
    en, zh = json.loads(rendered.text("en"))["data"], json.loads(rendered.text("zh-hans"))["data"]
    assert (en["kind_label"], zh["kind_label"]) == ("Unit", "单位")
    assert en["name"] == zh["name"] == "测试水利局"  # the stored field is shown as written
    with translation.override("en"):
        assert with_summary(event.type, event.data)["kind_label"] == "Unit"
