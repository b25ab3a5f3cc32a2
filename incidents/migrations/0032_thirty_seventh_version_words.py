"""The understanding's thirty-seventh version for databases seeded before it: the words it
added to incidents/data/lexicon.yaml (only to a subtype whose words were seeded; a word
already there keeps its kind and weight): theft (盗窃; 被人偷, 被偷, 偷了: 抽水机房的电缆又被人偷了
read as no kind at all)."""

from django.db import migrations

from ._lexicon_words import adder

NEW_WORDS = {
    "criminal_case": {"synonym": "盗窃", "colloquial": "被人偷 被偷 偷了"},
}

add_words = adder(NEW_WORDS)


class Migration(migrations.Migration):
    dependencies = [
        ("incidents", "0031_thirty_sixth_version_words"),
    ]

    operations = [
        migrations.RunPython(add_words, migrations.RunPython.noop),
    ]
