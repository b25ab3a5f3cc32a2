"""Plan registry through the API: validation with field errors, versions, import/export."""

import datetime
import json

import pytest
import yaml
from django.core.management import call_command
from django.utils import timezone

from plans import matching
from plans.models import Plan, PlanVersion
from realtime.models import Event


@pytest.fixture
def depts(make_department):
    return {
        "water": make_department("水利局"),
        "fire": make_department("消防救援支队"),
        "ems": make_department("应急局"),
    }


@pytest.fixture
def admin_client(admin_user, client_for):
    return client_for(admin_user)


def flood_doc(depts, **over):
    doc = {
        "code": "LJ-FX-01",
        "title": "临江市防汛应急预案",
        "kind": "specific",
        "status": "issued",
        "category": "natural_disaster",
        "subtypes": ["flood"],
        "keywords": ["洪水", "内涝"],
        "lead_department": depts["water"].pk,
        "review_by": (
            timezone.localdate() + datetime.timedelta(days=540)
        ).isoformat(),  # due for review later, whatever today is
        "levels": [
            {
                "level": "II",
                "criteria": {"grades": ["I", "II"], "min_deaths": 3},
                "tasks": [
                    {
                        "department": depts["water"].pk,
                        "duty": "组织会商，调度水利工程",
                        "ack_minutes": 10,
                        "feedback_minutes": 60,
                    },
                    {
                        "department": depts["fire"].pk,
                        "duty": "派出抢险救援队伍",
                        "ack_minutes": 10,
                        "feedback_minutes": 60,
                    },
                ],
            },
            {
                "level": "IV",
                "criteria": {},
                "tasks": [
                    {
                        "department": depts["water"].pk,
                        "duty": "加强水情监测",
                        "ack_minutes": 30,
                        "feedback_minutes": 240,
                    }
                ],
            },
        ],
    }
    doc.update(over)
    return doc


def test_admin_creates_plan_and_everyone_reads_it(admin_client, depts, make_person, client_for):
    resp = admin_client.post("/api/v1/plans/", flood_doc(depts), format="json")
    assert resp.status_code == 201, resp.json()
    body = resp.json()
    assert body["version"] == 1 and body["status"] == "issued"
    assert [lv["level"] for lv in body["levels"]] == ["II", "IV"]
    assert body["levels"][0]["tasks"][0] == {
        "department": depts["water"].pk,
        "duty": "组织会商，调度水利工程",
        "ack_minutes": 10,
        "feedback_minutes": 60,
    }
    assert Event.objects.filter(type="plan.created").exists()

    liaison = make_person("liaison", dept=depts["water"])
    reader = client_for(liaison)
    assert reader.get(f"/api/v1/plans/{body['id']}/").status_code == 200
    assert reader.patch(f"/api/v1/plans/{body['id']}/", {"title": "x"}, format="json").status_code == 403
    listing = reader.get("/api/v1/plans/?category=natural_disaster&subtype=flood").json()
    assert listing["count"] == 1
    assert reader.get("/api/v1/plans/?subtype=earthquake").json()["count"] == 0


@pytest.mark.parametrize(
    "change,field",
    [
        ({"kind": "special"}, "kind"),
        ({"code": ""}, "code"),
        ({"category": "weather"}, "category"),
        ({"category": "", "subtypes": []}, "category"),  # a specific plan needs a category
        ({"levels": [{"level": "V", "criteria": {}, "tasks": []}]}, "levels.0.level"),
        ({"levels": [{"level": "I", "criteria": {"grades": ["X"]}, "tasks": []}]}, "levels.0.criteria.grades"),
        ({"levels": [{"level": "I", "criteria": {"min_deaths": -1}, "tasks": []}]}, "levels.0.criteria.min_deaths"),
        ({"levels": [{"level": "I", "criteria": {"min_deaths": "3"}, "tasks": []}]}, "levels.0.criteria.min_deaths"),
        ({"levels": [{"level": "I", "criteria": {"max_deaths": 3}, "tasks": []}]}, "levels.0.criteria.max_deaths"),
        ({"levels": [{"level": "I", "criteria": {"within_km": 5}, "tasks": []}]}, "levels.0.criteria.center_lat"),
        (
            {"levels": [{"level": "I", "criteria": {"within_km": 5, "center_lat": 95, "center_lon": 1}, "tasks": []}]},
            "levels.0.criteria.center_lat",
        ),
        ({"levels": [{"level": "I", "criteria": {"keywords_any": []}, "tasks": []}]}, "levels.0.criteria.keywords_any"),
        (
            {
                "levels": [
                    {
                        "level": "I",
                        "criteria": {},
                        "tasks": [{"department": 999999, "duty": "x", "ack_minutes": 5, "feedback_minutes": 10}],
                    }
                ]
            },
            "levels.0.tasks.0.department",
        ),
        (
            {
                "levels": [
                    {
                        "level": "I",
                        "criteria": {},
                        "tasks": [{"department": "NOPE", "duty": "", "ack_minutes": 0, "feedback_minutes": 10}],
                    }
                ]
            },
            "levels.0.tasks.0.duty",
        ),
        ({"levels": [{"level": "I"}, {"level": "I"}]}, "levels.1.level"),
        ({"levels": []}, "levels"),  # an issued plan needs a level
        ({"review_by": "2028-13-01"}, "review_by"),
        (
            {
                "issued_on": (timezone.localdate() - datetime.timedelta(days=200)).isoformat(),
                "effective_on": (timezone.localdate() - datetime.timedelta(days=231)).isoformat(),
            },
            "effective_on",
        ),  # in force before it was issued
        ({"colour": "red"}, "colour"),
    ],
)
def test_invalid_plans_are_refused_with_field_errors(admin_client, depts, change, field):
    resp = admin_client.post("/api/v1/plans/", flood_doc(depts, **change), format="json")
    assert resp.status_code == 400
    assert field in resp.json(), resp.json()
    assert not Plan.objects.exists(), "never a half-written record"


def test_task_deadline_errors_name_the_field(admin_client, depts):
    doc = flood_doc(depts)
    doc["levels"][0]["tasks"][1]["ack_minutes"] = 0
    doc["levels"][0]["tasks"][1]["feedback_minutes"] = True
    errors = admin_client.post("/api/v1/plans/", doc, format="json").json()
    assert "levels.0.tasks.1.ack_minutes" in errors and "levels.0.tasks.1.feedback_minutes" in errors
    doc = flood_doc(depts)
    doc["levels"][0]["tasks"].append(dict(doc["levels"][0]["tasks"][0]))
    errors = admin_client.post("/api/v1/plans/", doc, format="json").json()
    assert "levels.0.tasks.2.department" in errors  # one task per department and level


def test_duplicate_code_is_refused(admin_client, depts):
    assert admin_client.post("/api/v1/plans/", flood_doc(depts), format="json").status_code == 201
    resp = admin_client.post("/api/v1/plans/", flood_doc(depts), format="json")
    assert resp.status_code == 400 and "code" in resp.json()


def test_editing_a_draft_keeps_its_version_editing_an_issued_plan_makes_a_new_one(admin_client, depts):
    plan_id = admin_client.post("/api/v1/plans/", flood_doc(depts, status="draft"), format="json").json()["id"]
    resp = admin_client.patch(f"/api/v1/plans/{plan_id}/", {"title": "防汛预案（征求意见稿）"}, format="json")
    assert resp.json()["version"] == 1
    assert admin_client.patch(f"/api/v1/plans/{plan_id}/", {"status": "issued"}, format="json").json()["version"] == 1
    v1 = PlanVersion.objects.get(plan_id=plan_id, number=1)
    assert v1.status == "issued"

    resp = admin_client.patch(f"/api/v1/plans/{plan_id}/", {"title": "临江市防汛抗旱应急预案"}, format="json")
    assert resp.status_code == 200 and resp.json()["version"] == 2
    v1.refresh_from_db()
    assert v1.content["title"] == "防汛预案（征求意见稿）", "an issued version is never edited"
    # no change, no new version
    assert (
        admin_client.patch(f"/api/v1/plans/{plan_id}/", {"title": "临江市防汛抗旱应急预案"}, format="json").json()[
            "version"
        ]
        == 2
    )
    versions = admin_client.get(f"/api/v1/plans/{plan_id}/versions/").json()
    assert [v["number"] for v in versions] == [2, 1]
    # retiring is a change too, and an issued plan cannot be deleted
    assert admin_client.patch(f"/api/v1/plans/{plan_id}/", {"status": "retired"}, format="json").json()["version"] == 3
    assert admin_client.delete(f"/api/v1/plans/{plan_id}/").status_code == 409


def test_a_form_encoded_edit_is_refused_and_json_is_validated(admin_client, depts):
    """The API takes JSON bodies only (issue 20): a form body is a 415 that changes nothing."""
    plan_id = admin_client.post("/api/v1/plans/", flood_doc(depts, status="draft"), format="json").json()["id"]
    resp = admin_client.patch(
        f"/api/v1/plans/{plan_id}/",
        "title=%E9%98%B2%E6%B1%9B&subtypes=flood&subtypes=waterlogging",
        content_type="application/x-www-form-urlencoded",
    )
    assert resp.status_code == 415, resp.content
    assert "application/x-www-form-urlencoded" in resp.json()["detail"]
    assert admin_client.get(f"/api/v1/plans/{plan_id}/").json()["title"] != "防汛"
    # a JSON body with a non-string category is a field error too
    resp = admin_client.patch(f"/api/v1/plans/{plan_id}/", {"category": ["natural_disaster"]}, format="json")
    assert resp.status_code == 400 and "category" in resp.json()
    versions = admin_client.get(f"/api/v1/plans/{plan_id}/versions/").json()
    assert isinstance(versions, list) and versions[0]["number"] == 1


@pytest.mark.parametrize("bad", ["a\x00b", "a\ud800b"])
def test_unreadable_characters_are_a_400_in_bodies_and_ignored_in_filters(admin_client, depts, bad):
    """NUL (PostgreSQL refuses it) and lone surrogates (not encodable) never reach the database."""

    def post(doc):  # json.dumps escapes a surrogate as a client would ("\\ud800")
        return admin_client.generic("POST", "/api/v1/plans/", json.dumps(doc), content_type="application/json")

    # (the JSON parser already refuses a surrogate as a whole: no field to name then)
    resp = post(flood_doc(depts, title=bad))
    assert resp.status_code == 400 and ("title" in resp.json() or "\x00" not in bad)
    doc = flood_doc(depts)
    doc["levels"][0]["tasks"][0]["duty"] = bad
    resp = post(doc)
    assert resp.status_code == 400 and ("levels.0.tasks.0.duty" in resp.json() or "\x00" not in bad)
    assert not Plan.objects.exists()
    for key in ("status", "kind", "category", "q", "subtype"):
        assert admin_client.get("/api/v1/plans/", {key: "x\x00y"}).status_code == 200
    assert admin_client.get("/api/v1/activations/", {"state": "x\x00y"}).json()["count"] == 0


def test_a_draft_can_be_deleted(admin_client, depts):
    plan_id = admin_client.post("/api/v1/plans/", flood_doc(depts, status="draft"), format="json").json()["id"]
    assert admin_client.delete(f"/api/v1/plans/{plan_id}/").status_code == 204
    assert not Plan.objects.exists()


def test_matching_sees_plan_changes_at_once(admin_client, depts, make_person, client_for):
    """The compiled cache is invalidated by every plan write."""
    from incidents.models import Incident

    incident = Incident.objects.create(
        title="东江水位超警", category="natural_disaster", subtype="flood", grade="II", deaths=3
    )
    url = f"/api/v1/incidents/{incident.pk}/plan-matches/"
    assert admin_client.get(url).json() == []
    plan_id = admin_client.post("/api/v1/plans/", flood_doc(depts), format="json").json()["id"]
    [m] = admin_client.get(url).json()
    assert (m["plan"], m["level"]) == (plan_id, "II")
    assert any("死亡 3 人 ≥ 3" in r for r in m["reasons"])
    levels = flood_doc(depts)["levels"]
    levels[0]["criteria"]["min_deaths"] = 5
    admin_client.patch(f"/api/v1/plans/{plan_id}/", {"levels": levels}, format="json")
    assert admin_client.get(url).json()[0]["level"] == "IV"
    admin_client.patch(f"/api/v1/plans/{plan_id}/", {"status": "retired"}, format="json")
    assert admin_client.get(url).json() == []
    matching.forget_cache()
    assert admin_client.get(url).json() == []
    assert admin_client.get("/api/v1/incidents/999999/plan-matches/").status_code == 404


def test_export_import_round_trip_json_and_yaml(admin_client, depts, tmp_path, admin_user):
    plan_id = admin_client.post("/api/v1/plans/", flood_doc(depts), format="json").json()["id"]
    as_json = admin_client.get(f"/api/v1/plans/{plan_id}/export/")
    doc = json.loads(as_json.content)
    assert doc["lead_department"] == depts["water"].code  # files refer to departments by code
    as_yaml = yaml.safe_load(admin_client.get(f"/api/v1/plans/{plan_id}/export/?as=yaml").content)
    assert as_yaml == doc

    # the command writes one file per plan; importing them back changes nothing
    call_command("export_plans", str(tmp_path))
    files = sorted(tmp_path.iterdir())
    assert [f.name for f in files] == ["LJ-FX-01.yaml"]
    call_command("import_plans", str(tmp_path))
    assert Plan.objects.get().version == 1

    # into an empty registry: the same plan comes back
    before = admin_client.get(f"/api/v1/plans/{plan_id}/").json()
    Plan.objects.get().versions.all().delete()
    Plan.objects.all().delete()
    call_command("import_plans", str(files[0]))
    after = admin_client.get(f"/api/v1/plans/{Plan.objects.get().pk}/").json()
    strip = lambda d: {k: v for k, v in d.items() if k not in ("id", "created_at", "updated_at")}  # noqa: E731
    assert strip(after) == strip(before)

    # changing the file and importing again makes a new version of the issued plan
    doc["title"] = "临江市防汛抗旱应急预案（2026 修订）"
    files[0].write_text(yaml.safe_dump(doc, allow_unicode=True), encoding="utf-8")
    call_command("import_plans", str(files[0]))
    plan = Plan.objects.get()
    assert (plan.version, plan.title) == (2, doc["title"])


def test_import_refuses_invalid_files_with_field_errors(admin_client, depts, tmp_path):
    bad = flood_doc(depts)
    bad["levels"][0]["tasks"][0]["department"] = "LJ-NOPE"
    bad["levels"][1]["criteria"] = {"within_km": -3, "center_lat": 28, "center_lon": 112}
    (tmp_path / "bad.json").write_text(json.dumps(bad, ensure_ascii=False), encoding="utf-8")
    (tmp_path / "broken.yaml").write_text("code: [unclosed", encoding="utf-8")
    from django.core.management.base import CommandError

    with pytest.raises(CommandError) as err:
        call_command("import_plans", str(tmp_path))
    text = str(err.value)
    assert "levels.0.tasks.0.department" in text and "LJ-NOPE" in text
    assert "levels.1.criteria.within_km" in text
    assert "broken.yaml" in text
    assert not Plan.objects.exists()

    resp = admin_client.post("/api/v1/plans/import/", bad, format="json")
    assert resp.status_code == 400 and "levels.0.tasks.0.department" in resp.json()
    good = flood_doc(depts)
    good["lead_department"] = depts["water"].code
    resp = admin_client.post("/api/v1/plans/import/", good, format="json")
    assert resp.status_code == 201 and resp.json()["outcome"] == "created"
    assert admin_client.post("/api/v1/plans/import/", good, format="json").json()["outcome"] == "unchanged"


def test_a_bad_plan_document_is_a_400_naming_the_fields(admin_client, depts):
    """A NUL in a text, a bad level: 400 with a message under each field, nothing written."""
    resp = admin_client.post("/api/v1/plans/", flood_doc(depts, title="防汛\x00预案"), format="json")
    assert resp.status_code == 400 and resp.json()["title"] == ["包含无法识别的字符。"]
    bad = flood_doc(depts)
    bad["levels"][0]["criteria"] = {"min_deaths": -1}
    resp = admin_client.post("/api/v1/plans/import/", bad, format="json")
    assert resp.status_code == 400 and "levels.0.criteria.min_deaths" in resp.json()
    assert not Plan.objects.exists()
