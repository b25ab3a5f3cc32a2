"""Upward reports as records (issue 19, item 1): kind, the statutory line and the
rule that both are informed, verification or "未经核实，先行报告", content kept as
sent, the clocks they meet, and the 信息专报 DOCX with every field (read back, and
converted to PDF by LibreOffice)."""

import shutil
import subprocess
from datetime import timedelta

import pytest
from django.utils import timezone

from chain import documents
from chain.models import Delivery, UpwardReport, Verification
from chain.seed import seed as seed_line
from dutyops.management.commands.grant_app_role import append_only_tables
from incidents.models import IncidentClock
from incidents.seed import seed_reference_data
from incidents.selectors import policy_for
from realtime.models import Event


@pytest.fixture
def line(db):
    seed_reference_data()
    seed_line()


@pytest.fixture
def officer(make_person):
    return make_person("duty_officer", full_name="张明", phone="0731-12345000")


@pytest.fixture
def api(officer, client_for, line):
    return client_for(officer)


def post_incident(api, **extra):
    body = {
        "kind": "first",
        "channel": "phone",
        "title": "芙蓉路化工仓库火灾",
        "description": "芙蓉路一化工仓库起火，明火已蔓延至相邻厂房。",
        "category": "accident_disaster",
        "grade": "II",
        "location_text": "芙蓉路88号",
        "occurred_at": (timezone.now() - timedelta(minutes=20)).isoformat(),
        "deaths": 1,
        "injuries": 3,
        "missing": 0,
        **extra,
    }
    response = api.post("/api/v1/reports/", body, format="json")
    assert response.status_code == 201, response.data
    return response.data["incident"]


def upward(api, incident, **body):
    return api.post(f"/api/v1/incidents/{incident}/upward-reports/", body, format="json")


def test_before_verification_only_marked_unverified_with_a_reason(api):
    incident = post_incident(api)
    refused = upward(api, incident, kind="first")
    assert refused.status_code == 400 and "unverified_reason" in refused.data
    claimed = upward(api, incident, kind="first", verified=True)
    assert claimed.status_code == 400 and "verified" in claimed.data  # nothing verified yet
    assert not UpwardReport.objects.exists()

    sent = upward(api, incident, kind="first", unverified_reason="火势发展迅速，先行报告")
    assert sent.status_code == 201, sent.data
    assert sent.data["verified"] is False and sent.data["unverified_mark"] == "未经核实，先行报告"
    assert "未经核实，先行报告" in documents.read_back(bytes(UpwardReport.objects.get().document))

    v = api.post(
        f"/api/v1/incidents/{incident}/verifications/",
        {"facts": "起火位置、死亡1人受伤3人", "method": "电话向消防现场指挥部核实"},
        format="json",
    )
    assert v.status_code == 201, v.data
    assert v.data["verified_by_name"] and v.data["verified_at"]
    follow = upward(api, incident, kind="follow_up", verified=True, measures="已疏散周边群众300人")
    assert follow.status_code == 201, follow.data
    assert follow.data["verified"] is True and follow.data["unverified_mark"] == ""
    assert [e.type for e in Event.objects.filter(incident_id=incident, type__startswith="chain.")] == [
        "chain.reported_up",
        "chain.verified",
        "chain.reported_up",
    ]


def test_the_statutory_line_both_informed_where_required(api):
    incident = post_incident(api)
    line = api.get("/api/v1/reporting-line/?category=accident_disaster").json()
    names = {r["name"]: r["id"] for r in line}
    assert set(names) == {"省人民政府总值班室", "省应急管理厅"}
    only_one = upward(api, incident, kind="first", recipients=[names["省人民政府总值班室"]], unverified_reason="紧急")
    assert only_one.status_code == 400
    assert "省应急管理厅" in str(only_one.data["recipients"])
    unknown = upward(api, incident, kind="first", recipients=["99999"], unverified_reason="紧急")
    assert unknown.status_code == 400
    both = upward(api, incident, kind="first", recipients=list(names.values()), unverified_reason="紧急")
    assert both.status_code == 201, both.data
    recipients = both.data["recipients"]
    assert {r["name"] for r in recipients} == set(names)
    # Informed outside the system (no link): recorded as delivered when sent.
    assert {r["delivery"] for r in recipients} == {"delivered"}
    assert both.data["sent_by_name"] and both.data["sent_at"]


def test_content_is_kept_as_sent_and_corrections_are_new_reports(api):
    incident = post_incident(api)
    first = upward(api, incident, kind="first", unverified_reason="紧急").data
    report = UpwardReport.objects.get(pk=first["id"])
    report.content["title"] = "改过的标题"
    with pytest.raises(ValueError):
        report.save()
    verified = api.post(
        f"/api/v1/incidents/{incident}/verifications/", {"facts": "死亡1人", "method": "电话核实"}, format="json"
    )
    verification = Verification.objects.get(pk=verified.data["id"])
    verification.facts = "死亡0人"
    with pytest.raises(ValueError):
        verification.save()
    assert Verification.objects.get(pk=verification.pk).facts == "死亡1人"
    # The application's database role may only read and insert them (grant_app_role).
    assert {"chain_upwardreport", "chain_verification"} <= append_only_tables()
    # The incident's picture moves on; the report keeps what was sent.
    api.post(
        "/api/v1/reports/", {"kind": "follow_up", "incident": incident, "channel": "phone", "deaths": 2}, format="json"
    )
    assert UpwardReport.objects.get(pk=first["id"]).content["casualties"]["deaths"] == 1
    fixed = upward(api, incident, kind="follow_up", unverified_reason="更正死亡人数", corrects=first["id"])
    assert fixed.status_code == 201 and fixed.data["corrects"] == first["id"]
    assert fixed.data["content"]["casualties"]["deaths"] == 2
    assert UpwardReport.objects.count() == 2


def test_upward_reports_of_the_right_kind_meet_the_clocks(api):
    incident = post_incident(api, grade="II")

    def pending():
        return {c.kind for c in IncidentClock.objects.filter(incident_id=incident) if c.pending}

    assert pending() == {"phone", "written"}
    # Neither a report received at intake nor an upward report of another kind is the first report up.
    api.post("/api/v1/reports/", {"kind": "follow_up", "incident": incident, "deaths": 1}, format="json")
    assert upward(api, incident, kind="follow_up", unverified_reason="紧急").status_code == 201
    assert upward(api, incident, kind="final", unverified_reason="紧急").status_code == 201
    assert pending() == {"phone", "written"}
    # A first report by phone meets the phone clock only; a written one the written clock.
    phoned = upward(api, incident, kind="first", method="phone", unverified_reason="紧急")
    assert phoned.status_code == 201
    assert pending() == {"written"}
    written = upward(api, incident, kind="first", unverified_reason="紧急")
    assert written.status_code == 201
    assert pending() == set()
    clocks = {c.kind: c.satisfied_at for c in IncidentClock.objects.filter(incident_id=incident)}
    assert clocks["phone"] == UpwardReport.objects.get(pk=phoned.data["id"]).sent_at
    assert clocks["written"] == UpwardReport.objects.get(pk=written.data["id"]).sent_at


def test_a_written_first_report_meets_the_phone_clock_too(api):
    incident = post_incident(api, grade="II")
    assert upward(api, incident, kind="first", unverified_reason="紧急").status_code == 201
    clocks = {c.kind: c for c in IncidentClock.objects.filter(incident_id=incident)}
    assert clocks["phone"].satisfied_at is not None  # a written report arrives in writing: both met
    assert clocks["written"].satisfied_at is not None


def test_the_follow_up_cadence_restarts_at_an_upward_follow_up_only(api):
    incident = post_incident(api, grade="II")
    api.post(f"/api/v1/incidents/{incident}/transition/", {"to": "responding"}, format="json")

    def due():
        return IncidentClock.objects.get(incident_id=incident, kind="follow_up").due_at

    start = due()
    api.post("/api/v1/reports/", {"kind": "follow_up", "incident": incident, "deaths": 2}, format="json")
    for kind in ("first", "final"):
        assert upward(api, incident, kind=kind, unverified_reason="紧急").status_code == 201
    assert due() == start
    sent = upward(api, incident, kind="follow_up", unverified_reason="紧急", measures="已疏散群众")
    assert sent.status_code == 201
    interval = timedelta(minutes=policy_for("II", "accident_disaster").follow_up_minutes)
    assert due() == UpwardReport.objects.get(pk=sent.data["id"]).sent_at + interval > start


def test_the_final_clock_is_met_by_an_upward_final_report_only(api):
    incident = post_incident(api, grade="II")
    for to in ("responding", "closed"):
        response = api.post(f"/api/v1/incidents/{incident}/transition/", {"to": to}, format="json")
        assert response.status_code == 200, response.data

    def met():
        return IncidentClock.objects.get(incident_id=incident, kind="final").satisfied_at

    api.post("/api/v1/reports/", {"kind": "final", "incident": incident, "description": "处置完毕"}, format="json")
    for kind in ("first", "follow_up"):
        assert upward(api, incident, kind=kind, unverified_reason="紧急").status_code == 201
    assert met() is None
    final = upward(api, incident, kind="final", unverified_reason="紧急", measures="处置完毕")
    assert final.status_code == 201
    assert met() == UpwardReport.objects.get(pk=final.data["id"]).sent_at


def test_a_liaison_and_the_wall_board_may_not_report_upward(api, make_person, make_department, client_for):
    incident = post_incident(api)
    liaison = make_person("liaison", dept=make_department("水利局"))
    board = make_person("board")
    for person in (liaison, board):
        response = client_for(person).post(
            f"/api/v1/incidents/{incident}/upward-reports/",
            {"kind": "first", "unverified_reason": "紧急"},
            format="json",
        )
        assert response.status_code in (403, 404)
    assert not UpwardReport.objects.exists() and not Delivery.objects.exists()


def test_the_written_report_holds_every_field_and_opens_in_libreoffice(api, officer, tmp_path):
    incident = post_incident(api)
    sent = upward(
        api,
        incident,
        kind="first",
        unverified_reason="紧急",
        measures="消防出动12车60人，已控制火势",
        support_needed="请求市级调派泡沫消防车2辆",
        text="现场风力较大",
    ).data
    response = api.get(sent["document"])
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    data = b"".join(response) if response.streaming else response.content
    text = documents.read_back(data)
    content = sent["content"]
    for expected in (
        "信息专报",
        "首报",
        "芙蓉路化工仓库火灾",  # title
        documents.field_values(content)["时间"],  # time
        "芙蓉路88号",  # place
        "明火已蔓延至相邻厂房",  # what happened
        "死亡 1 人，受伤 3 人，失联 0 人",  # casualties
        "消防出动12车60人",  # measures taken
        "泡沫消防车2辆",  # support needed
        "现场风力较大",
        officer.department.name,  # reporting unit
        "张明",  # signer
        "0731-12345000",  # contact
        "省人民政府总值班室",
    ):
        assert expected in text, expected
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if soffice is None:
        pytest.fail("LibreOffice missing: apt-get install -y libreoffice-writer-nogui")
    path = tmp_path / "report.docx"
    path.write_bytes(data)
    subprocess.run(
        [
            soffice,
            f"-env:UserInstallation=file://{tmp_path}/lo",
            "--headless",
            "--convert-to",
            "pdf",
            "--outdir",
            str(tmp_path),
            str(path),
        ],
        check=True,
        capture_output=True,
        timeout=120,
    )
    pdf = (tmp_path / "report.pdf").read_bytes()
    assert pdf.startswith(b"%PDF") and len(pdf) > 1000


def test_the_incident_page_lists_upward_reports_with_each_recipients_state(api, officer, client):
    incident = post_incident(api)
    assert upward(api, incident, kind="first", unverified_reason="紧急").status_code == 201
    client.force_login(officer)
    page = client.get(f"/incidents/{incident}/").content.decode()
    assert "首报·书面（信息专报）（未经核实，先行报告）" in page
    assert "省人民政府总值班室（已送达）" in page and "省应急管理厅（已送达）" in page
