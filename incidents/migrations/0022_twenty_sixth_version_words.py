"""The understanding's twenty-sixth version for databases seeded before it: the words it
added to incidents/data/lexicon.yaml (only to a subtype whose words were seeded; a word
already there keeps its kind and weight): a hillside split open (山裂, 后山裂: geological), a
hoist's cage (吊笼: special equipment), a trench or high formwork giving way on a site
(沟槽, 沟槽坍塌, 沟槽塌方, 高支模, 架子上: production safety, as the duty rooms label a site's
accidents), a bather overcome by a gas water heater (洗澡晕, 浴室: gas supply), a crowd
pressing out (往外挤: a mass incident)."""

from django.db import migrations

from ._lexicon_words import adder

NEW_WORDS = {
    "geological": {"colloquial": "山裂 后山裂"},
    "special_equipment": {"synonym": "吊笼"},
    "production_safety": {"term": "沟槽坍塌 沟槽塌方 高支模", "synonym": "沟槽 架子上"},
    "gas_supply": {"colloquial": "洗澡晕", "cue": "浴室"},
    "mass_incident": {"colloquial": "往外挤"},
}

add_words = adder(NEW_WORDS)


class Migration(migrations.Migration):
    dependencies = [
        ("incidents", "0021_twenty_fifth_version_words"),
    ]

    operations = [
        migrations.RunPython(add_words, migrations.RunPython.noop),
    ]
