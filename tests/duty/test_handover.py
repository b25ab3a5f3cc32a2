"""交接班 carries open items and is signed by the incoming shift; 值班日志 with
time-to-answer; the daily duty report."""

import datetime
import io
import zipfile
from xml.etree import ElementTree

from django.utils import timezone
from openpyxl import load_workbook

from duty.models import Handover
from realtime.models import Event


def test_handover_carries_open_items_and_incoming_signs(client_for, shifts, make_person):
    out, inc = shifts["out"], shifts["inc"]
    # An incident reported during the shift through the public API is still open at handover.
    r = client_for(out).post(
        "/api/v1/reports/",
        {
            "channel": "phone",
            "kind": "first",
            "title": "河西区仓库起火",
            "description": "仓库冒烟，有明火",
            "category": "accident_disaster",
            "reporter_name": "王先生",
        },
        format="json",
    )
    assert r.status_code == 201, r.content
    incident_id = r.json()["incident"]

    drill = {"channel": "phone", "kind": "first", "title": "防汛演练", "category": "natural_disaster", "is_drill": True}
    drill_id = client_for(out).post("/api/v1/reports/", drill, format="json").json()["incident"]

    draft = client_for(out).get(f"/api/v1/shifts/{shifts['s1'].pk}/handover/").json()
    assert draft["id"] is None and draft["to_shift"] == shifts["s2"].pk
    titles = {i["id"]: i["title"] for i in draft["open_items"] if i["kind"] == "incident"}
    assert (titles[incident_id], titles[drill_id]) == (
        "河西区仓库起火",
        "【演练】防汛演练",
    )  # marked once, as everywhere

    r = client_for(out).post(f"/api/v1/shifts/{shifts['s1'].pk}/handover/", {"note": "仓库火情待续报。"}, format="json")
    assert r.status_code == 201, r.content
    body = r.json()
    assert body["to_shift"] == shifts["s2"].pk and body["written_by"] == out.pk
    carried = [i for i in body["open_items"] if i["kind"] == "incident"]
    assert carried and carried[0]["id"] == incident_id and "仓库" in carried[0]["title"]
    assert (
        client_for(out).post(f"/api/v1/shifts/{shifts['s1'].pk}/handover/", {"note": "再写"}, format="json").status_code
        == 409
    )

    sign = f"/api/v1/shifts/{shifts['s1'].pk}/handover/sign/"
    assert client_for(out).post(sign, {}, format="json").status_code == 400  # the writer cannot sign their own
    assert client_for(make_person("duty_officer")).post(sign, {}, format="json").status_code == 400
    r = client_for(inc).post(sign, {"note": "已接收"}, format="json")
    assert r.status_code == 200 and r.json()["signed_by"] == inc.pk and r.json()["signed_at"]
    assert client_for(inc).post(sign, {}, format="json").status_code == 409
    handover = Handover.objects.get()
    assert handover.written_at <= handover.signed_at
    assert list(Event.objects.filter(type__startswith="handover.").values_list("type", flat=True)) == [
        "handover.written",
        "handover.signed",
    ]


def test_handover_requires_note_and_a_started_shift(client_for, shifts):
    r = client_for(shifts["out"]).post(f"/api/v1/shifts/{shifts['s1'].pk}/handover/", {"note": "  "}, format="json")
    assert r.status_code == 400 and "note" in r.json()
    r = client_for(shifts["inc"]).post(f"/api/v1/shifts/{shifts['s2'].pk}/handover/", {"note": "x"}, format="json")
    assert r.status_code == 409
    assert (
        client_for(shifts["out"])
        .post(f"/api/v1/shifts/{shifts['s2'].pk}/handover/sign/", {}, format="json")
        .status_code
        == 404
    )


def test_duty_log_and_daily_report(client_for, shifts, department):
    out = shifts["out"]
    now = timezone.now()
    r = client_for(out).post(
        f"/api/v1/shifts/{shifts['s1'].pk}/log/",
        {
            "kind": "call",
            "text": "气象局通报暴雨橙色预警",
            "caller": "市气象局",
            "received_at": (now - datetime.timedelta(seconds=12)).isoformat(),
            "answered_at": now.isoformat(),
        },
        format="json",
    )
    assert r.status_code == 201, r.content
    r = client_for(out).post(
        f"/api/v1/shifts/{shifts['s1'].pk}/log/",
        {"kind": "instruction", "text": "传达周市长批示：加强巡查"},
        format="json",
    )
    assert r.status_code == 201
    unanswered = {"kind": "call", "text": "群众来电未留接听时间", "caller": "群众"}
    assert client_for(out).post(f"/api/v1/shifts/{shifts['s1'].pk}/log/", unanswered, format="json").status_code == 201
    bad = client_for(out).post(
        f"/api/v1/shifts/{shifts['s1'].pk}/log/",
        {"kind": "call", "text": "x", "received_at": now.isoformat(), "answered_at": "2000-01-01T00:00:00+08:00"},
        format="json",
    )
    assert bad.status_code == 400 and "answered_at" in bad.json()

    log = client_for(out).get(f"/api/v1/shifts/{shifts['s1'].pk}/log/").json()
    call = next(e for e in log if e["kind"] == "call")
    assert round(call["seconds_to_answer"]) == 12 and call["at"].endswith("+08:00")
    assert [e["kind"] for e in log if e["source"] == "log"] == ["call", "instruction", "call"]

    day = timezone.localtime(shifts["s1"].starts_at).date()
    r = client_for(out).get("/api/v1/duty/daily-report/", {"department": department.pk, "date": day.isoformat()})
    assert r.status_code == 200
    # Both calls count, as the log lists them; the answering time only from the one that has it.
    assert (r.json()["calls"], round(r.json()["avg_seconds_to_answer"])) == (2, 12)
    assert r.json()["shifts"][0]["id"] == shifts["s1"].pk
    r = client_for(out).get(
        "/api/v1/duty/daily-report/", {"department": department.pk, "date": day.isoformat(), "format": "xlsx"}
    )
    assert r.status_code == 200
    wb = load_workbook(io.BytesIO(r.content))
    texts = [c for row in wb["值班日志"].iter_rows(values_only=True) for c in row]
    assert "气象局通报暴雨橙色预警" in texts
    assert (
        client_for(out).get("/api/v1/duty/daily-report/", {"department": department.pk, "date": "x"}).status_code == 400
    )

    # Word export: a valid OOXML package whose body carries the same content.
    r = client_for(out).get(
        "/api/v1/duty/daily-report/", {"department": department.pk, "date": day.isoformat(), "format": "docx"}
    )
    assert r.status_code == 200 and r["Content-Type"].endswith("wordprocessingml.document")
    with zipfile.ZipFile(io.BytesIO(r.content)) as z:
        assert {"[Content_Types].xml", "_rels/.rels", "word/document.xml"} <= set(z.namelist())
        root = ElementTree.fromstring(z.read("word/document.xml"))
    w = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
    text = "".join(t.text or "" for t in root.iter(f"{w}t"))
    assert f"{department.name}值班日报" in text and "气象局通报暴雨橙色预警" in text and "交班员" in text
    assert len(list(root.iter(f"{w}tbl"))) == 4
    r = client_for(out).get("/api/v1/duty/daily-report/", {"department": department.pk, "format": "odt"})
    assert r.status_code == 400


def test_log_entry_kind_defaults_to_note_and_links_only_real_incidents(client_for, shifts):
    """A log entry without a kind is a 值班记事 (it used to be a 500); an entry may
    only point at an incident that exists (its timeline would show it)."""
    url = f"/api/v1/shifts/{shifts['s1'].pk}/log/"
    r = client_for(shifts["out"]).post(url, {"text": "巡查值班室设备正常"}, format="json")
    assert r.status_code == 201, r.content
    assert r.json()["kind"] == "note"
    r = client_for(shifts["out"]).post(url, {"text": "转报", "incident_id": 987654321}, format="json")
    assert r.status_code == 400 and "incident_id" in r.json()
    r = client_for(shifts["out"]).post(url, {"text": "来电", "received_at": "0403-04-04T00:31:27Z"}, format="json")
    assert r.status_code == 400 and "received_at" in r.json()
    log = client_for(shifts["out"]).get(url).json()
    assert [e["text"] for e in log if e["source"] == "log"] == ["巡查值班室设备正常"]


def test_handover_draft_has_the_written_handovers_shape(client_for, shifts):
    url = f"/api/v1/shifts/{shifts['s1'].pk}/handover/"
    draft = client_for(shifts["out"]).get(url).json()
    assert draft["id"] is None and draft["written_by"] is None and draft["written_at"] is None
    r = client_for(shifts["out"]).post(url, {"note": "雨情平稳"}, format="json")
    assert r.status_code == 201
    written = client_for(shifts["out"]).get(url).json()
    assert set(written) == set(draft)
    assert written["written_by_name"] == "交班员" and written["signed_by_name"] == "" and written["sign_note"] == ""
