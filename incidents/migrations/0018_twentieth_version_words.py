"""The understanding's twentieth version for databases seeded before it: the words it
added to incidents/data/lexicon.yaml (only to a subtype whose words were seeded; a word
already there keeps its kind and weight): rice planthoppers are a biological disaster
(飞虱, 稻飞虱), lumpy skin disease an animal epidemic (结节性皮肤病), runners collapsing in
the heat weather (热倒), unredeemable vouchers an economic matter (提货券, 兑付), fish
floating belly-up in a polluted pond pollution (翻白).

The twentieth version's related kinds (a burst main under a road and the traffic it stops,
a harvester on the road, a rabid dog told by doctors and by vets) live in the file's
`related` list, which the duplicate finder reads from the file: no rows to migrate."""

from django.db import migrations

from ._lexicon_words import adder

NEW_WORDS = {
    "biological_disaster": {"term": "飞虱 稻飞虱"},
    "animal_epidemic": {"term": "结节性皮肤病"},
    "meteorological": {"colloquial": "热倒"},
    "economic_security": {"synonym": "提货券 兑付"},
    "environmental_pollution": {"colloquial": "翻白"},
}

add_words = adder(NEW_WORDS)


class Migration(migrations.Migration):
    dependencies = [
        ("incidents", "0017_nineteenth_version_words"),
    ]

    operations = [
        migrations.RunPython(add_words, migrations.RunPython.noop),
    ]
