"""Incidents through the API: possible duplicates (distance, time window) and merging."""

from datetime import timedelta

from django.utils import timezone

from incidents import selectors
from tests.incidents import api_steps
from tests.incidents.api_steps import FAR, NEAR, post_report, transition

# The officer's API client without the gazetteer (api_steps), as these tests were written.
api = api_steps.api


# --- duplicates and merge -----------------------------------------------------


def test_a_report_300_m_away_is_a_possible_duplicate_30_km_is_not(api):
    original = post_report(api)["incident"]
    near = post_report(api, latitude=NEAR[0], longitude=NEAR[1], title="橘子洲东堤管涌险情")
    assert near["possible_duplicates"] == [original]
    far = post_report(api, latitude=FAR[0], longitude=FAR[1], title="橘子洲东堤管涌险情")
    assert original not in far["possible_duplicates"]
    # Different category at the same place: not a duplicate.
    other = post_report(
        api, category="accident_disaster", subtype="traffic", title="橘子洲大桥车辆追尾", description="两车追尾"
    )
    assert other["possible_duplicates"] == []
    # A drill never matches a real incident.
    drill = post_report(api, latitude=NEAR[0], longitude=NEAR[1], is_drill=True)
    assert drill["possible_duplicates"] == []


def test_duplicates_outside_the_time_window_or_closed_do_not_count(api):
    old = timezone.now() - timedelta(days=3)
    post_report(api, received_at=old.isoformat())
    closed = post_report(api)["incident"]
    transition(api, closed, "closed")
    assert post_report(api, latitude=NEAR[0], longitude=NEAR[1])["possible_duplicates"] == []


def test_merge_keeps_every_report_and_both_timelines(api):
    a = post_report(api)
    b = post_report(api, latitude=NEAR[0], longitude=NEAR[1], channel="hotline", reporter_name="市民")
    c = api.post("/api/v1/reports/", {"kind": "follow_up", "incident": b["incident"], "injuries": 1}, format="json")
    response = api.post(
        f"/api/v1/incidents/{b['incident']}/merge/", {"into": a["incident"], "reason": "同一险情"}, format="json"
    )
    assert response.status_code == 200, response.data
    target = api.get(f"/api/v1/incidents/{a['incident']}/").data
    assert {r["id"] for r in target["reports"]} == {a["id"], b["id"], c.data["id"]}
    types = [e["type"] for e in target["timeline"]]
    assert types.count("incident.created") == 2 and types.count("incident.merged") == 1
    merged = api.get(f"/api/v1/incidents/{b['incident']}/").data
    assert merged["status"] == "merged" and merged["merged_into"] == a["incident"]
    # A late report on the merged incident lands on the survivor.
    late = api.post("/api/v1/reports/", {"kind": "follow_up", "incident": b["incident"], "deaths": 0}, format="json")
    assert late.data["incident"] == a["incident"]
    assert (
        api.post(f"/api/v1/incidents/{a['incident']}/merge/", {"into": a["incident"]}, format="json").status_code == 409
    )
    assert selectors.active_incidents().filter(pk=b["incident"]).count() == 0


def test_merge_refuses_drill_into_real(api):
    real = post_report(api)["incident"]
    drill = post_report(api, is_drill=True)["incident"]
    assert api.post(f"/api/v1/incidents/{drill}/merge/", {"into": real}, format="json").status_code == 409
