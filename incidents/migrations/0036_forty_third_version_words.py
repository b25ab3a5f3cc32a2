"""The understanding's forty-third version for databases seeded before it: the words it
added to incidents/data/lexicon.yaml (only to a subtype whose words were seeded; a word
already there keeps its kind and weight), and the ones it moved or promoted, each changed
only while it keeps the kind and weight it was seeded with (an admin's edit stays).

- A scaffold (脚手架, 脚手架坍塌) giving way under its workers is a work accident, as the
  parts' writers label it (26 of 31 reports): production_safety's words now, no longer
  building_collapse's.
- A harvester (收割机) names a work accident outright: a term where it was a synonym, and
  收割机翻, 收割机侧翻 (not a road crash's 翻到, 侧翻).
- Pyramid selling (传销) is economic security (3 of 3); an eatery blowing up (饭店炸了,
  餐馆里面炸了, 粉店爆炸) its gas (15 of 15), not a fire."""

from django.db import migrations

from ._lexicon_words import adder, rekind, retire

NEW_WORDS = {
    "production_safety": {"term": "脚手架坍塌 收割机翻 收割机侧翻", "synonym": "脚手架"},
    "economic_security": {"term": "传销"},
    "gas_supply": {
        "colloquial": "饭店爆炸 餐馆爆炸 饭馆爆炸 粉店爆炸 饭店炸了 餐馆炸了 粉店炸了 饭店里炸了 餐馆里炸了 "
        "粉店里炸了 饭店里面炸了 餐馆里面炸了 餐馆里爆炸 火锅店炸了"
    },
}
MOVED = [("building_collapse", ["脚手架坍塌"], "term"), ("building_collapse", ["脚手架"], "synonym")]
PROMOTED = [("production_safety", "收割机", "synonym")]  # (subtype, word, the seeded kind)

add_new_words = adder(NEW_WORDS)


def add_words(apps, schema_editor):
    add_new_words(apps, schema_editor)
    retire(apps, MOVED)
    rekind(apps, [(code, [word], kind, "term") for code, word, kind in PROMOTED])


class Migration(migrations.Migration):
    dependencies = [
        ("incidents", "0035_forty_second_version_words"),
    ]

    operations = [
        migrations.RunPython(add_words, migrations.RunPython.noop),
    ]
