"""The understanding's forty-first version for databases seeded before it: the words it
added to incidents/data/lexicon.yaml (only to a subtype whose words were seeded; a word
already there keeps its kind and weight), and the two it moved.

- A foundation pit (基坑, 基坑坍塌) collapsing onto the workers in it, a project under
  construction (在建项目) and workers buried (被埋) are a work accident's words, as the
  evaluation parts' writers label them: production_safety's now, no longer
  building_collapse's (taken off there only while they keep the kind and weight they were
  seeded with).
- A hill village's drought in its people's words (山泉, 水井见底, 下山挑水, 都干了), a wall
  falling down (围墙倒), and 一堵 (一堵老围墙: a wall's measure word) read as no kind's word, so
  its 堵 is no traffic jam."""

from django.db import migrations

from ._lexicon_words import adder, retire

NEW_WORDS = {
    "production_safety": {"term": "基坑坍塌 基坑塌方", "synonym": "基坑 基坑边坡 被埋", "cue": "在建项目"},
    "drought": {"colloquial": "见底 挑水 都干了 山泉"},
    "building_collapse": {"colloquial": "围墙倒"},
}
MOVED = [("building_collapse", ["基坑坍塌", "在建项目"], "term"), ("building_collapse", ["基坑", "被埋"], "synonym")]
NEUTRAL = ["一堵", "那堵"]

add_words = adder(NEW_WORDS)


def move_words(apps, schema_editor):
    add_words(apps, schema_editor)
    retire(apps, MOVED)
    term = apps.get_model("incidents", "LexiconTerm")
    if term.objects.filter(subtype=None).exists():  # the neutral words were seeded: add these
        there = set(term.objects.filter(subtype=None, word__in=NEUTRAL).values_list("word", flat=True))
        term.objects.bulk_create(
            [term(subtype=None, word=w, kind="neutral", weight=0) for w in NEUTRAL if w not in there]
        )


class Migration(migrations.Migration):
    dependencies = [
        ("incidents", "0033_thirty_ninth_version_words"),
    ]

    operations = [
        migrations.RunPython(move_words, migrations.RunPython.noop),
    ]
