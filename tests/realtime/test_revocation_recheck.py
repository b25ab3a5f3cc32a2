"""The periodic re-check's one read (realtime.revocation._current): for the people
with sockets open in a process, who is still active at which auth version, and which
of the sockets' tokens still exist. Runs on both passes: SQLite reads through the ORM,
PostgreSQL passes each set as one array."""

import pytest

from dutyops.models import ApiToken
from realtime.revocation import _current

pytestmark = pytest.mark.django_db


def test_the_active_people_at_their_versions_and_the_tokens_still_issued(make_person):
    kept, bumped, gone = make_person("liaison"), make_person("liaison"), make_person("duty_officer")
    bumped.auth_version += 1
    bumped.save(update_fields=["auth_version"])
    gone.is_active = False
    gone.save(update_fields=["is_active"])
    live, _key = ApiToken.issue(kept)
    deleted, _key = ApiToken.issue(bumped)
    deleted.delete()

    people, tokens = _current({kept.pk, bumped.pk, gone.pk, 10**9}, {live.digest, deleted.digest, "0" * 64})

    assert people == {kept.pk: kept.auth_version, bumped.pk: bumped.auth_version}
    assert tokens == {live.digest}


def test_sockets_without_tokens_read_no_tokens(make_person):
    person = make_person("leader")
    assert _current({person.pk}, set()) == ({person.pk: person.auth_version}, set())


def test_a_thousand_people_in_one_read(make_person, django_assert_max_num_queries):
    people = [make_person("liaison") for _ in range(30)]
    ids = {p.pk for p in people} | set(range(10**8, 10**8 + 1000))
    with django_assert_max_num_queries(1):
        found, tokens = _current(ids, set())
    assert found == {p.pk: p.auth_version for p in people} and tokens == set()
