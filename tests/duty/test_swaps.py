"""换班/替班: requested by one person, accepted by the other, approved by the room's duty leader."""

import datetime

import pytest
from django.utils import timezone

from duty import selectors, services
from duty.models import Shift, SwapRequest
from realtime.models import Event


@pytest.fixture
def roster(department, make_person):
    now = timezone.now().replace(microsecond=0)
    start = now + datetime.timedelta(days=1)
    lead = make_person("duty_leader", full_name="陈带班", dept=department)
    a = make_person("duty_officer", full_name="张三")
    b = make_person("duty_officer", full_name="李四")
    c = make_person("duty_officer", full_name="王五")
    spare = make_person("duty_officer", full_name="赵六")
    s1 = services.create_shift(
        duty_room=department, starts_at=start, ends_at=start + datetime.timedelta(hours=24), officers=[a, c]
    )
    s2 = services.create_shift(
        duty_room=department,
        starts_at=start + datetime.timedelta(hours=24),
        ends_at=start + datetime.timedelta(hours=48),
        officers=[b, c],
    )
    return {"s1": s1, "s2": s2, "lead": lead, "a": a, "b": b, "c": c, "spare": spare}


def officers(shift):
    return selectors.officers_of(selectors.shifts_with_people().get(pk=shift.pk))


def test_swap_request_accept_approve(client_for, roster):
    a, b, lead = roster["a"], roster["b"], roster["lead"]
    r = client_for(a).post(
        "/api/v1/swaps/",
        {
            "kind": "swap",
            "shift": roster["s1"].pk,
            "counterpart": b.pk,
            "counterpart_shift": roster["s2"].pk,
            "reason": "家中有事",
        },
        format="json",
    )
    assert r.status_code == 201, r.content
    swap_id = r.json()["id"]
    assert r.json()["state"] == "requested" and r.json()["requester"] == a.pk

    # The approver cannot approve before the counterpart accepts.
    assert client_for(lead).post(f"/api/v1/swaps/{swap_id}/approve/").status_code == 409
    # Only the counterpart answers.
    assert client_for(a).post(f"/api/v1/swaps/{swap_id}/accept/").status_code == 403
    r = client_for(b).post(f"/api/v1/swaps/{swap_id}/accept/")
    assert r.status_code == 200 and r.json()["state"] == "accepted"
    # A party to the swap cannot approve it; an officer without the role neither.
    assert client_for(b).post(f"/api/v1/swaps/{swap_id}/approve/").status_code == 403
    # An officer not party to it does not even see it.
    assert client_for(roster["c"]).post(f"/api/v1/swaps/{swap_id}/approve/").status_code == 404
    r = client_for(lead).post(f"/api/v1/swaps/{swap_id}/approve/", {"note": "同意"}, format="json")
    assert r.status_code == 200, r.content
    assert r.json()["state"] == "approved" and r.json()["decided_by"] == lead.pk

    assert officers(roster["s1"]) == [b, roster["c"]]
    assert officers(roster["s2"]) == [a, roster["c"]]
    assert Shift.objects.get(pk=roster["s1"].pk).pinned
    # History: every step is an event; the request itself is kept.
    types = list(Event.objects.filter(type__startswith="swap.").values_list("type", flat=True))
    assert types == ["swap.requested", "swap.accepted", "swap.approved"]
    assert Event.objects.filter(type="shift.changed", data__action="swapped").count() == 2
    assert client_for(lead).post(f"/api/v1/swaps/{swap_id}/approve/").status_code == 409
    assert client_for(a).delete(f"/api/v1/swaps/{swap_id}/").status_code == 405


def test_substitution_and_rejection(client_for, roster):
    a, spare, lead = roster["a"], roster["spare"], roster["lead"]
    swap = services.request_swap(actor=a, shift=roster["s1"], counterpart=spare, kind="substitute")
    services.answer_swap(swap, spare, True)
    r = client_for(lead).post(f"/api/v1/swaps/{swap.pk}/reject/", {"note": "人手不足"}, format="json")
    assert r.status_code == 200 and r.json()["state"] == "rejected"
    assert a in officers(roster["s1"])

    swap = services.request_swap(actor=a, shift=roster["s1"], counterpart=spare, kind="substitute")
    services.answer_swap(swap, spare, True)
    services.decide_swap(swap, lead, True)
    assert officers(roster["s1"]) == [spare, roster["c"]]
    assert SwapRequest.objects.filter(requester=a).count() == 2


def test_swap_refused_when_it_would_double_book(client_for, roster):
    # c is on both shifts: a substitution giving s1's slot to b would not clash,
    # but giving s2's slot (b's) to a person already on s2 must be refused.
    r = client_for(roster["b"]).post(
        "/api/v1/swaps/",
        {"kind": "substitute", "shift": roster["s2"].pk, "counterpart": roster["c"].pk},
        format="json",
    )
    assert r.status_code == 400 and "counterpart" in r.json()
    r = client_for(roster["spare"]).post(
        "/api/v1/swaps/",
        {"kind": "substitute", "shift": roster["s1"].pk, "counterpart": roster["a"].pk},
        format="json",
    )
    assert r.status_code == 400 and "shift" in r.json()
    r = client_for(roster["a"]).post(
        "/api/v1/swaps/", {"kind": "swap", "shift": roster["s1"].pk, "counterpart": roster["b"].pk}, format="json"
    )
    assert r.status_code == 400 and "counterpart_shift" in r.json()


def test_conflict_detected_at_approval(roster, department, make_department):
    """Between request and approval the counterpart got booked elsewhere: approval is a 409."""
    from dutyops.errors import Conflict

    a, spare, lead = roster["a"], roster["spare"], roster["lead"]
    swap = services.request_swap(actor=a, shift=roster["s1"], counterpart=spare, kind="substitute")
    services.answer_swap(swap, spare, True)
    other = make_department("另一值班室")
    services.create_shift(
        duty_room=other, starts_at=roster["s1"].starts_at, ends_at=roster["s1"].ends_at, officers=[spare]
    )
    with pytest.raises(Conflict):
        services.decide_swap(swap, lead, True)
    assert a in officers(roster["s1"])
    assert SwapRequest.objects.get(pk=swap.pk).state == "accepted"


def test_cancel(client_for, roster):
    swap = services.request_swap(actor=roster["a"], shift=roster["s1"], counterpart=roster["spare"], kind="substitute")
    assert client_for(roster["spare"]).post(f"/api/v1/swaps/{swap.pk}/cancel/").status_code == 403
    r = client_for(roster["a"]).post(f"/api/v1/swaps/{swap.pk}/cancel/")
    assert r.status_code == 200 and r.json()["state"] == "cancelled"
    assert client_for(roster["spare"]).post(f"/api/v1/swaps/{swap.pk}/accept/").status_code == 409
