"""Property: no input to POST /api/v1/reports/ yields a 500 or a half-written incident."""

import json
from datetime import timedelta

import pytest
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from incidents import geo
from incidents.models import Incident, Report
from incidents.seed import seed_reference_data
from incidents.serializers import REPORT_FIELDS
from realtime.models import Event

# What a client sends, and "classified", which intake refuses.
FIELDS = [*(f for f in REPORT_FIELDS if f != "id"), "classified"]

now = timezone.now()
datetimes = st.datetimes(
    min_value=timezone.datetime(1, 1, 2), max_value=timezone.datetime(9999, 12, 30), timezones=st.timezones()
).map(lambda d: d.isoformat())
recent = st.integers(min_value=-3 * 24 * 60, max_value=10).map(lambda m: (now + timedelta(minutes=m)).isoformat())
scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=300),
    st.text(alphabet="临江橘子洲堤防管涌\x00\ud800 ", max_size=20),
    datetimes,
    recent,
    st.sampled_from(
        [
            "first",
            "follow_up",
            "final",
            "phone",
            "natural_disaster",
            "accident_disaster",
            "flood",
            "traffic",
            "I",
            "IV",
            "",
            "  ",
            "1",
        ]
    ),
)
values = st.one_of(scalars, st.lists(scalars, max_size=3), st.dictionaries(st.text(max_size=5), scalars, max_size=3))
# Mostly plausible reports (so that valid ones get through too), with any field
# replaced by anything, plus arbitrary keys and non-object bodies.
plausible = st.fixed_dictionaries(
    {
        "kind": st.sampled_from(["first", "follow_up", "final"]),
        "category": st.sampled_from(["natural_disaster", "accident_disaster", "public_health", "social_security"]),
        "title": st.text(min_size=1, max_size=50),
    },
    optional={
        "subtype": st.sampled_from(["flood", "traffic", "epidemic", "mass_incident", "nope"]),
        "grade": st.sampled_from(["I", "II", "III", "IV", None]),
        "latitude": st.floats(min_value=-95, max_value=95),
        "longitude": st.floats(min_value=-185, max_value=185),
        "deaths": st.integers(min_value=-5, max_value=2**40),
        "received_at": recent,
        "occurred_at": recent,
        "answered_at": recent,
        "is_drill": st.booleans(),
        "incident": st.integers(min_value=-1, max_value=5),
    },
)
bodies = st.one_of(
    st.builds(lambda base, extra: {**base, **extra}, plausible, st.dictionaries(st.sampled_from(FIELDS), values)),
    st.dictionaries(st.one_of(st.sampled_from(FIELDS), st.text(max_size=10)), values, max_size=8),
    values,
)


def counts():
    return Incident.objects.count(), Report.objects.count(), Event.objects.count()


@pytest.mark.django_db
@settings(max_examples=300, deadline=None, suppress_health_check=list(HealthCheck))
@given(body=bodies)
def test_no_input_yields_a_500_or_a_half_written_incident(officer, client_for, body):
    seed_reference_data()
    api = client_for(officer)
    before = counts()
    raw = json.dumps(body, allow_nan=True)  # NaN/Infinity too: a client may send them
    response = api.generic("POST", "/api/v1/reports/", raw, content_type="application/json")
    assert response.status_code in (201, 400), (response.status_code, getattr(response, "data", None))
    after = counts()
    if response.status_code == 400:
        assert after == before, "a refused report must leave nothing behind"
        assert isinstance(response.data, dict) and response.data
    else:
        report = Report.objects.get(pk=response.data["id"])
        incident = report.incident
        assert incident.reports.exists()
        assert Event.objects.filter(incident_id=incident.pk, type="report.created", data__id=report.pk).exists()
        assert after[1] == before[1] + 1


IGNORED = " \t\n\u3000\u00a0，。、；：,.;:！!？?（）()"


@given(st.lists(st.tuples(st.text(max_size=4), st.text(alphabet=IGNORED, max_size=3)), max_size=12))
def test_duplicate_text_matching_ignores_spaces_and_punctuation(pieces):
    """Two reports of one event written with other spacing or punctuation share
    every character pair (the duplicate finder compares those)."""
    plain = "".join(text for text, _ in pieces)
    padded = "".join(text + gap for text, gap in pieces)
    cleaned = "".join(ch for ch in plain.lower() if not ch.isspace() and ch not in IGNORED)
    assert geo.bigrams(padded) == geo.bigrams(plain) == geo.bigrams(cleaned)
    if len(cleaned) > 1:
        assert geo.bigrams(plain) == {cleaned[i : i + 2] for i in range(len(cleaned) - 1)}
        assert geo.text_similarity(plain, padded) == 1.0
    assert geo.bigrams("Wanjiali Road") == geo.bigrams("WANJIALI ROAD")
