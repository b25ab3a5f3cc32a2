"""The understanding's thirty-fourth version for databases seeded before it: the words it
added to incidents/data/lexicon.yaml (only to a subtype whose words were seeded; a word
already there keeps its kind and weight): a hill set alight (把山点着了) and children's
firecrackers on it (放鞭炮, a cue); the "safe account" (安全账户) swindlers posing as the
police tell the old to move their savings to."""

from django.db import migrations

from ._lexicon_words import adder

NEW_WORDS = {
    "forest_fire": {"colloquial": "山点着", "cue": "放鞭炮"},
    "criminal_case": {"synonym": "安全账户"},
}

add_words = adder(NEW_WORDS)


class Migration(migrations.Migration):
    dependencies = [
        ("incidents", "0028_thirty_third_version_words"),
    ]

    operations = [
        migrations.RunPython(add_words, migrations.RunPython.noop),
    ]
