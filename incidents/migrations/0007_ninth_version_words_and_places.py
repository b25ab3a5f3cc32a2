"""The understanding's ninth version for databases seeded before it: the words it added to
incidents/data/lexicon.yaml, and 镇头镇's point moved to where the town is
(incidents/data/places_linjiang_city.csv: the eighth version had put it 15 km east, near
浏阳's own town).

Words go only to a subtype whose words were seeded (a subtype with none gets the whole
file from the seed); a word already there keeps its kind and weight. The point moves
only while it is still the old one (an edited place keeps its edit); a database with no
place yet gets the file from seed_demo."""

from django.db import migrations

from ._lexicon_words import adder

NEW_WORDS = {
    "criminal_case": {"term": "诈骗 电信诈骗 电信网络诈骗", "synonym": "被骗 冒充公检法 冒充公安 洗钱 骗子"},
    "unexplained_disease": {
        "term": "不明原因肺炎",
        "synonym": "均阴性 都是阴性 检测阴性 查了是阴性 病原尚不明确 病原不明 尚不明确",
    },
    "environmental_pollution": {"colloquial": "田里冒烟 田里到处冒烟 田里到处是烟 田间焚烧"},
    "hazardous_chemicals": {"term": "液碱 烧碱 氢氧化钠 氨水 双氧水 过氧化氢 甲醛 丙酮", "synonym": "罐体 槽罐"},
    "economic_security": {
        "synonym": "返利 高额返利 高额回报",
        "colloquial": "钱拿不回来 钱要不回来 利息没发 不发利息 本金拿不回来",
    },
    "mass_incident": {"colloquial": "讨工资 要工资 举着牌子 举牌子"},
}
# (name, district): (the old point, the new one)
MOVED_PLACES = {("镇头镇", "浏阳市"): ((28.03, 113.49), (28.04, 113.34))}


add_words = adder(NEW_WORDS)


def move_places(apps, schema_editor):
    place = apps.get_model("incidents", "Place")
    for (name, district), ((lat, lon), (new_lat, new_lon)) in MOVED_PLACES.items():
        place.objects.filter(name=name, district=district, latitude=lat, longitude=lon).update(
            latitude=new_lat, longitude=new_lon
        )


class Migration(migrations.Migration):
    dependencies = [
        ("incidents", "0006_eighth_version_places_and_words"),
    ]

    operations = [
        migrations.RunPython(add_words, migrations.RunPython.noop),
        migrations.RunPython(move_places, migrations.RunPython.noop),
    ]
