"""The understanding's thirty-sixth version for databases seeded before it: the words it
added to incidents/data/lexicon.yaml (only to a subtype whose words were seeded; a word
already there keeps its kind and weight): New Year's Eve dinner (年夜饭), a meal, so a
family sick after one at a restaurant is a poisoning and not an outbreak."""

from django.db import migrations

from ._lexicon_words import adder

NEW_WORDS = {
    "food_poisoning": {"synonym": "年夜饭"},
}

add_words = adder(NEW_WORDS)


class Migration(migrations.Migration):
    dependencies = [
        ("incidents", "0030_thirty_fifth_version_words"),
    ]

    operations = [
        migrations.RunPython(add_words, migrations.RunPython.noop),
    ]
