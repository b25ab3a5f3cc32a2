"""The labelled evaluation set (tests/data/) and the figures the understanding reaches on
it; bench/bench_understanding.py prints them with the confusion lists."""

import collections

import pytest

from incidents import evaluation


@pytest.fixture(scope="module")
def figures():
    items = evaluation.load()
    gazetteer, reader, kinds = evaluation.tools()
    pairs = evaluation.read_pairs()
    out = {}
    for split in evaluation.SPLITS:
        part = [i for i in items if i.split == split]
        right, total, _wrong = evaluation.subtype_accuracy(part, reader)
        found = evaluation.flagged(part, gazetteer, reader, kinds, 2.5)
        precision, recall, *_rest = evaluation.duplicate_figures([p for p in pairs if p[0] == split], found)
        out[split] = (right / total, precision, recall)
    return items, pairs, out


def test_the_set_is_big_realistic_and_its_pairs_file_follows_from_the_events(figures):
    items, pairs, _out = figures
    assert len(pairs) >= 300 and sum(p[3] for p in pairs) >= 100
    assert [p[1:] for p in pairs] == evaluation.labelled_pairs(items)
    assert {i.category for i in items} == {"natural_disaster", "accident_disaster", "public_health", "social_security"}
    assert len({i.truth for i in items if i.split == "heldout"}) >= 25
    assert any(i.drill for i in items if i.split == "heldout")
    channels = collections.Counter(i.raw.get("channel") for i in items)
    assert {"phone", "hotline", "lower_level", "department"} <= set(channels)
    kinds = collections.Counter(p[4] for p in pairs)
    assert kinds["同类不同事件"] >= 50 and kinds["演练与真实事件"] >= 5


def test_the_development_parts_meet_the_targets(figures):
    *_rest, out = figures
    for split in ("dev", "dev2", "dev3"):
        top1, precision, recall = out[split]
        assert top1 >= 0.90 and precision >= 0.90 and recall >= 0.95, split


def test_the_held_out_part_stays_where_it_was_measured(figures):
    """Measured once on the held-out part (bench/RESULTS.md): subtype top-1 0.960,
    duplicates precision 0.920, recall 0.902 (the recall target 0.95 is not met).
    A regression guard, not a target."""
    *_rest, out = figures
    top1, precision, recall = out["heldout"]
    assert top1 >= 0.95 and precision >= 0.90 and recall >= 0.90
