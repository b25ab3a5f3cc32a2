"""The understanding's fifteenth version for databases seeded before it: the words it
added to incidents/data/lexicon.yaml (a ride that stops with its riders in the air as a
special equipment accident, not a fire for the 消防 called to it: 滑索, 大摆锤, 滞留高空,
滞留空中, 滞留半空, 悬停, 卡在半空, 吊在半空, 停在高处).

Words go only to a subtype whose words were seeded (a subtype with none gets the whole
file from the seed); a word already there keeps its kind and weight: no row anyone may
have edited is touched."""

from django.db import migrations

from ._lexicon_words import adder

NEW_WORDS = {
    "special_equipment": {
        "synonym": "滑索 大摆锤 滞留高空 滞留空中 滞留半空 悬停",
        "colloquial": "卡在半空 吊在半空 停在高处",
    },
}


add_words = adder(NEW_WORDS)


class Migration(migrations.Migration):
    dependencies = [
        ("incidents", "0012_fourteenth_version_words"),
    ]

    operations = [
        migrations.RunPython(add_words, migrations.RunPython.noop),
    ]
