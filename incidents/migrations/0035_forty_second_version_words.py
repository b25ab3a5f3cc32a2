"""The understanding's forty-second version for databases seeded before it: the word it
added to incidents/data/lexicon.yaml (only to a subtype whose words were seeded; a word
already there keeps its kind and weight): 合同诈骗, an institution taking prepaid fees and
closing (某研学旅行机构涉嫌合同诈骗), which the evaluation parts' writers count an economic
security event (5 of 5 reports), not a criminal case's 诈骗."""

from django.db import migrations

from ._lexicon_words import adder

NEW_WORDS = {
    "economic_security": {"term": "合同诈骗"},
}

add_words = adder(NEW_WORDS)


class Migration(migrations.Migration):
    dependencies = [
        ("incidents", "0034_forty_first_version_words"),
    ]

    operations = [
        migrations.RunPython(add_words, migrations.RunPython.noop),
    ]
