"""The understanding's twenty-eighth version for databases seeded before it: the words it
added to incidents/data/lexicon.yaml (only to a subtype whose words were seeded; a word
already there keeps its kind and weight): water pouring down a metro entrance's stairs
(往下面灌, 出入口进水: a flood; 地铁站出口的水往下面灌 was read as the weather), and fireworks
made at home (加工烟花, 礼花弹, 烟花组件: a production-safety accident, not a house fire)."""

from django.db import migrations

from ._lexicon_words import adder

NEW_WORDS = {
    "flood": {"colloquial": "往下面灌 出入口进水"},
    "production_safety": {"colloquial": "加工烟花 礼花弹 烟花组件"},
}

add_words = adder(NEW_WORDS)


class Migration(migrations.Migration):
    dependencies = [
        ("incidents", "0023_twenty_seventh_version_words"),
    ]

    operations = [
        migrations.RunPython(add_words, migrations.RunPython.noop),
    ]
