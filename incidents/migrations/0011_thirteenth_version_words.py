"""The understanding's thirteenth version for databases seeded before it: the words it
added to incidents/data/lexicon.yaml (a hill that 塌 as the lexicon's hills already 垮:
山塌了, 后山塌, 山上塌下来; a water main that leaks or cracks as it already bursts:
水管漏了, 水管裂了).

Words go only to a subtype whose words were seeded (a subtype with none gets the whole
file from the seed); a word already there keeps its kind and weight: no row anyone may
have edited is touched."""

from django.db import migrations

WEIGHTS = {"term": 3.0, "synonym": 2.0, "colloquial": 2.0, "cue": 0.7}
NEW_WORDS = {
    "geological": {"colloquial": "山塌了 山塌下来 后山塌 塌山 坡塌了 山上塌下来"},
    "water_supply": {"colloquial": "水管漏了 水管漏水 水管裂了"},
}


def add_words(apps, schema_editor):
    subtype = apps.get_model("incidents", "Subtype")
    term = apps.get_model("incidents", "LexiconTerm")
    seeded = set(term.objects.exclude(subtype=None).values_list("subtype__code", flat=True).distinct())
    pks = dict(subtype.objects.filter(code__in=seeded).values_list("code", "pk"))
    rows = []
    for code, kinds in NEW_WORDS.items():
        if code not in pks:
            continue
        there = set(term.objects.filter(subtype_id=pks[code]).values_list("word", flat=True))
        for kind, words in kinds.items():
            for word in words.split():
                if word not in there:
                    there.add(word)
                    rows.append(term(subtype_id=pks[code], word=word, kind=kind, weight=WEIGHTS[kind]))
    term.objects.bulk_create(rows, ignore_conflicts=True)


class Migration(migrations.Migration):
    dependencies = [
        ("incidents", "0010_twelfth_version_words"),
    ]

    operations = [
        migrations.RunPython(add_words, migrations.RunPython.noop),
    ]
