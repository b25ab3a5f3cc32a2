"""The understanding's eighteenth version for databases seeded before it: the words it
added to incidents/data/lexicon.yaml (only to a subtype whose words were seeded; a word
already there keeps its kind and weight).

A rafting boat capsized is a production accident, as the operator's (漂流, 皮筏); a jet boat
striking a swimmer is a waterway accident (快艇); a crush in a crowd is a mass incident
(踩踏, 挤倒); a fight is a crime (打斗; 斗殴 a cue only: a brawl of two crowds is a mass
incident); heat stroke in the sun is weather (晒晕); a supply cut off by the grid is a
power-supply event (拉闸)."""

from django.db import migrations

from ._lexicon_words import adder

NEW_WORDS = {
    "production_safety": {"synonym": "漂流 皮筏"},
    "traffic": {"synonym": "快艇"},
    "mass_incident": {"term": "踩踏", "colloquial": "挤倒"},
    "criminal_case": {"synonym": "打斗", "cue": "斗殴"},
    "meteorological": {"colloquial": "晒晕"},
    "power_supply": {"colloquial": "拉闸"},
}

add_words = adder(NEW_WORDS)


class Migration(migrations.Migration):
    dependencies = [
        ("incidents", "0015_seventeenth_version_words"),
    ]

    operations = [
        migrations.RunPython(add_words, migrations.RunPython.noop),
    ]
