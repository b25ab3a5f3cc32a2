"""What the lists show (issue 16): for every list endpoint, each unit's scoped people
(liaison, duty leader, the room's duty officer: the water bureau's, a unit's below it,
the fire brigade's) and the office's get none of the objects dutyops.policy does not let
them read and each of those it does; every other read is searched for what leaks.

The world (tests/dutyops/matrix.py) has one object of each kind inside each department;
which of them a person may read is the question the item's row asks (matrix.ROWS, the
same table the object routes are judged by), so a list is held to what its items say.
A list route with neither a row here nor a reasoned skip fails
`test_every_list_route_has_a_row_or_a_skip`.
"""

import csv
import io

from django.db import transaction

from dutyops import policy
from tests.dutyops.endpoints import api_operations
from tests.dutyops.matrix import ROWS, leaks

# list route: the item route whose row says who reads an item (its kind and question)
# (matrix.ROWS' GET row, or the only row the item has)
LISTS = {
    "/api/v1/absences/": "/api/v1/absences/{pk}/",
    "/api/v1/activations/": "/api/v1/activations/{pk}/",
    "/api/v1/alerts/": "/api/v1/alerts/{pk}/",
    "/api/v1/calendar-feeds/": ("DELETE", "/api/v1/calendar-feeds/{pk}/"),  # one's own
    "/api/v1/chain/inbox/": "/api/v1/chain/inbox/{pk}/",
    "/api/v1/findings/": "/api/v1/findings/{pk}/",
    "/api/v1/incidents/": "/api/v1/incidents/{pk}/",
    "/api/v1/leaves/": "/api/v1/leaves/{pk}/",
    "/api/v1/people/": "/api/v1/people/{pk}/",
    "/api/v1/reports/": "/api/v1/reports/{pk}/",
    "/api/v1/rotations/": "/api/v1/rotations/{pk}/",
    "/api/v1/shifts/": "/api/v1/shifts/{pk}/",
    "/api/v1/staff-errors/": "/api/v1/staff-errors/{pk}/",
    "/api/v1/supervision/": "/api/v1/supervision/{pk}/",
    "/api/v1/swaps/": "/api/v1/swaps/{pk}/",
    "/api/v1/upward-reports/": "/api/v1/upward-reports/{pk}/",
}
# Lists checked by their own test below.
OWN_TESTS = {
    "/api/v1/duplicates/": "test_the_duplicate_check_names_no_incident_out_of_scope",
    "/api/v1/performance/": "test_performance_figures_cover_only_the_readers_departments",
    "/api/v1/performance/export/": "test_performance_figures_cover_only_the_readers_departments",
    "/api/v1/findings/candidates/": "test_late_candidates_are_only_the_deciders_departments",
}
# Lists whose items are not the world's objects, and why. Each is still searched for what
# its reader may not read by test_no_read_without_an_object_carries_what_its_reader_may_not_read.
_REFERENCE = "jurisdiction-wide reference data (no department's own)"
_OFFICE = "office only: no scoped role may read it (test_policy_scope.py proves the actions office-only)"
SKIPPED = {
    "/api/v1/departments/": "the organisation's tree: every signed-in person reads it",
    "/api/v1/duty-rules/": _REFERENCE,
    "/api/v1/escalation-steps/": _REFERENCE,
    "/api/v1/holidays/": _REFERENCE,
    "/api/v1/subtypes/": _REFERENCE,
    "/api/v1/report-policies/": _REFERENCE,
    "/api/v1/places/": "the gazetteer: " + _REFERENCE,
    "/api/v1/geocode/": "the gazetteer looked up: " + _REFERENCE,
    "/api/v1/reporting-line/": "the statutory reporting line: " + _REFERENCE,
    "/api/v1/plans/": "the plan library: " + _REFERENCE,
    "/api/v1/circulars/": "a month's published figures of every department",
    "/api/v1/notification-channels/": "the admin's (reference.write)",
    "/api/v1/links/": "the admin's (link.manage)",
    "/api/v1/sources/": "the admin's (source.manage)",
    "/api/v1/board/snapshot/": _OFFICE + " (jurisdiction.view)",
    "/api/v1/deliveries/": _OFFICE + " (deliveries.view)",
    "/api/v1/classified-deliveries/": _OFFICE + " (classified.view)",
    "/api/v1/warnings/": _OFFICE + " (warning.view)",
    "/api/v1/consequences/": "not a list: what one action would do, answered for an incident one may see",
    "/api/v1/events/": "the stream: tests/dutyops/test_policy_scope_events.py and test_policy.py's event tables",
    "/api/v1/duty/now/": "who is on duty in a room (?department=): the directory every department calls",
    "/api/v1/duty/coverage/": "one room's gaps (?department=), or those of the rooms one sees: a report, not items",
    "/api/v1/duty/roster-export/": "one room's file (?department=): test_policy.py refuses another room's",
    "/api/v1/duty/daily-report/": "one room's file (?department=): test_policy.py refuses another room's",
    "/api/v1/statistics/incidents/": "counts only, of the incidents one may see (tests/incidents)",
    "/api/v1/statistics/incidents/export/": "counts only, of the incidents one may see (tests/incidents)",
}


def test_every_list_route_has_a_row_or_a_skip():
    served = {r for m, r in api_operations() if m == "GET" and "{" not in r and r != "/api/v1/auth/token/"}
    known = LISTS.keys() | OWN_TESTS.keys() | SKIPPED.keys()
    assert served - known == set(), "list routes without a row or a reasoned skip"
    assert known - served == set(), "rows for lists that are not served"
    assert all(_row(item) for item in LISTS.values())


def _row(item):
    return ROWS[item if isinstance(item, tuple) else ("GET", item)]


def _ids(client, route):
    """The ids a list shows, every page of it, and the text of its answers."""
    found, texts, url, params = set(), [], route, {"page_size": 500}
    while url:
        response = client.get(url, params)
        if response.status_code == 403 and url == route:
            return found, ""  # a list the person may not read at all shows nothing
        assert response.status_code == 200, (route, response.status_code)
        texts.append(response.content.decode())
        body = response.json()
        items = body.get("results", body) if isinstance(body, dict) else body
        found |= {item["id"] for item in items}
        url, params = (body.get("next") if isinstance(body, dict) else None), {}
    return found, "".join(texts)


def test_every_list_shows_what_its_items_allow_and_nothing_else(scoped_clients, scope_world):
    """Each scoped person, each list: the other department's object absent unless its row
    says the person may read it, and one's own department's present where it says so."""
    people, worlds = scope_world
    problems = []
    for route, item in sorted(LISTS.items()):
        row = _row(item)
        for key, person in sorted(people.items()):
            with transaction.atomic():
                shown, text = _ids(scoped_clients[key], route)
                transaction.set_rollback(True)
            problems += [f"{route} as the {key[1]} {key[0]}: shows {what}" for what in leaks(person, worlds, text)]
            for side, world in worlds.items():
                readable = row.read(person, world, row.kind)
                if (world[row.kind].pk in shown) != readable:
                    what = "misses" if readable else "shows"
                    problems.append(f"{route} as the {key[1]} {key[0]}: {what} the {side} {row.kind}")
    assert not problems, "\n".join(problems)


DUPLICATE_OF_BOTH = {"category": "natural_disaster", "text": "湘江大堤管涌险情", "latitude": 28.21, "longitude": 112.96}


def test_the_duplicate_check_names_no_incident_out_of_scope(scoped_clients, scope_world):
    """Each department's incident reads alike at one place: the check names only what one may see."""
    people, worlds = scope_world
    for key, person in people.items():
        body = scoped_clients[key].get("/api/v1/duplicates/", DUPLICATE_OF_BOTH)
        assert body.status_code == 200
        named = set(body.json()["possible_duplicates"]) | {i["id"] for i in body.json()["incidents"]}
        for side, world in worlds.items():
            assert (world["incident"].pk in named) == policy.may(person, "incident.view", world["incident"]), (
                key,
                side,
            )


def test_performance_figures_cover_only_the_readers_departments(scoped_clients, scope_world):
    people, _worlds = scope_world
    for key, person in people.items():
        allowed = policy.scope(person, "figures.view")
        if allowed is None:
            continue  # the jurisdiction's figures
        rows = scoped_clients[key].get("/api/v1/performance/").json()["departments"]
        assert {r["department"] for r in rows} <= allowed, key
        export = scoped_clients[key].get("/api/v1/performance/export/", {"format": "csv"})
        assert export.status_code == 200, key
        cells = {cell for line in csv.reader(io.StringIO(export.content.decode("utf-8-sig"))) for cell in line}
        assert not cells & {d.name for d in _departments_outside(allowed)}, key


def _departments_outside(ids):
    from dutyops.models import Department

    return Department.objects.exclude(pk__in=ids).exclude(kind="duty_office")


def test_late_candidates_are_only_the_deciders_departments(scoped_clients, scope_world):
    people, _worlds = scope_world
    for key, person in people.items():
        response = scoped_clients[key].get("/api/v1/findings/candidates/")
        if not policy.may(person, "accountability.decide"):
            assert response.status_code == 403, key
            continue
        rows, scope = response.json(), policy.scope(person, "accountability.decide")
        assert scope is None or {r["department"] for r in rows} <= scope, key


def _params(route, person, world):
    """What a read needs to answer: the person's own room, the world's events."""
    if route.startswith("/api/v1/duty/"):
        return {"department": person.department_id}
    if route == "/api/v1/events/":
        return {"after": world["events_after"], "limit": 500}
    if route == "/api/v1/consequences/":
        return {"action": "close", "incident": world["incident"].pk}
    return {}


def test_no_read_without_an_object_carries_what_its_reader_may_not_read(scoped_clients, scope_world):
    """Every GET without an object in its address (lists, the skipped ones too: the stream,
    figures, the duplicate check, a room's files), as each scoped person: whatever it answers
    holds no mark of an object the policy does not let them read."""
    people, worlds = scope_world
    routes = sorted(r for m, r in api_operations() if m == "GET" and "{" not in r)
    problems = []
    for route in routes:
        for key, person in sorted(people.items()):
            for world in worlds.values():
                response = scoped_clients[key].get(route, _params(route, person, world))
                if response.status_code >= 500:
                    problems.append(f"{route} as the {key[1]} {key[0]}: {response.status_code}")
                elif response.status_code == 200:
                    text = response.content.decode("utf-8", errors="replace")
                    problems += [f"{route} as the {key[1]} {key[0]}: shows {w}" for w in leaks(person, worlds, text)]
                if not route.startswith("/api/v1/consequences/"):
                    break  # one world's parameters suffice: the answer is the person's whole view
    assert not problems, "\n".join(problems)
