"""The understanding's thirtieth version for databases seeded before it: the words it added
to incidents/data/lexicon.yaml (only to a subtype whose words were seeded; a word already
there keeps its kind and weight): a water park's slide (滑道, and 水上乐园 as a cue: special
equipment; 欢乐湾水上乐园滑道事故3名儿童受伤 was read as a crash for its 相撞); and 燃气立管, a
gas riser, a term (3) where it was a synonym (2): 西牌楼社区一老旧楼栋燃气立管泄漏 was read as a
chemical leak for its 泄漏 and 疏散. Changed only where it still has the seeded kind and
weight: a row an admin edited keeps what they gave it."""

from django.db import migrations

from ._lexicon_words import adder, rekind

NEW_WORDS = {
    "special_equipment": {"colloquial": "滑道", "cue": "水上乐园"},
}
# Words that name the kind outright: (subtype, word, the seeded kind).
PROMOTED = [("gas_supply", "燃气立管", "synonym")]

add_new_words = adder(NEW_WORDS)


def add_words(apps, schema_editor):
    add_new_words(apps, schema_editor)
    rekind(apps, [(code, [word], kind, "term") for code, word, kind in PROMOTED])


class Migration(migrations.Migration):
    dependencies = [
        ("incidents", "0025_twenty_ninth_version_places"),
    ]

    operations = [
        migrations.RunPython(add_words, migrations.RunPython.noop),
    ]
