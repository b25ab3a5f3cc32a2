"""The duplicate scorer's eighth version for databases seeded before it: the gazetteer
rows it added to incidents/data/places_linjiang_city.csv (浏阳's, 宁乡's and 长沙县's
towns, the expressways and their toll stations, two 街道 and five malls) and the words
it added to incidents/data/lexicon.yaml.

A database with no place yet gets the rows from seed_demo; a place already there under
the same name and district keeps its edits. Words go only to a subtype whose words were
seeded (a subtype with none gets the whole file from the seed); a word already there
keeps its kind and weight, except 发热 and 发烧 of an unexplained illness, which move
from cue to synonym unless edited (the generic words of a public-health report now
count for an unexplained illness as for an outbreak)."""

import csv
from pathlib import Path

from django.db import migrations

from ._lexicon_words import adder, rekind

CITY_CSV = Path(__file__).resolve().parent.parent / "data" / "places_linjiang_city.csv"

NEW_PLACES = frozenset(
    """淮川街道 荷花街道 关口街道 蕉溪镇 永安镇 北盛镇 洞阳镇 柏加镇 沙市镇 淳口镇 高坪镇 社港镇 龙伏镇 张坊镇
    小河乡 大围山镇 达浒镇 沿溪镇 永和镇 官渡镇 古港镇 澄潭江镇 文家市镇 枨冲镇 普迹镇 镇头镇 官桥镇 大瑶镇 金刚镇
    白马桥街道 历经铺街道 城郊街道 金洲镇 夏铎铺镇 道林镇 回龙铺镇 大成桥镇 流沙河镇 青山桥镇 老粮仓镇 大屯营镇
    巷子口镇 龙田镇 湘龙街道 泉塘街道 长龙街道 江背镇 春华镇 青山铺镇 金井镇 开慧镇 福临镇 长张高速 机场高速
    长浏高速 许广高速 长株高速 沪昆高速 黄花收费站 星沙收费站 临江南收费站 学士收费站 浏阳收费站 宁乡收费站
    北盛服务区 马王堆街道 东岸街道 万家丽广场 IFS国金中心 平和堂 梅溪新天地""".split()
) | {"悦方ID MALL"}

NEW_WORDS = {
    "production_safety": {
        "term": "烟花爆竹 烟花厂 鞭炮厂 花炮厂 爆竹厂 烟花企业 烟花生产 烟花制造 药物混合 涉药工房",
        "colloquial": "从高处摔下 从脚手架上掉 脚手架上掉下来 从架子上掉",
    },
    "terrorist_attack": {
        "term": "反恐",
        "colloquial": "包没人要 没人要的包 包没人管 没人管的包 可疑的包 电线露出来 露出电线 无人看管",
    },
    "unexplained_disease": {
        "term": "不明原因发热 不明原因皮疹 没查出来是什么病 查不出原因 原因还不清楚 原因还不明 流行病学",
        "synonym": "发热 发烧 病例 疾控",
    },
    "mass_incident": {"synonym": "拖欠工资 欠工资 不发工资 工钱 包工头", "colloquial": "拿不到工钱 拿不到工资"},
    "power_supply": {"colloquial": "没水没电 没电没水 水泵停了 泵也停了 停电停水"},
    "environmental_pollution": {"term": "焚烧秸秆 秸秆焚烧 秸秆禁烧", "synonym": "焚烧稻草 烧稻草 禁烧"},
    "communication": {"colloquial": "打不出去 打不进来"},
    "drought": {"colloquial": "井干了 井都干了 井里没水 井水干了 没水喝"},
}
CUE_TO_SYNONYM = ("unexplained_disease", ("发热", "发烧"))


def add_places(apps, schema_editor):
    place = apps.get_model("incidents", "Place")
    if not place.objects.exists():
        return
    with open(CITY_CSV, newline="", encoding="utf-8") as f:
        rows = [r for r in csv.DictReader(f) if r["name"].strip() in NEW_PLACES]
    there = set(place.objects.values_list("name", "district"))
    place.objects.bulk_create(
        place(
            name=r["name"].strip(),
            district=r["district"].strip(),
            kind=r["kind"].strip(),
            latitude=float(r["latitude"]),
            longitude=float(r["longitude"]),
            aliases=(r.get("aliases") or "").strip()[:200],
        )
        for r in rows
        if (r["name"].strip(), r["district"].strip()) not in there
    )


add_new_words = adder(NEW_WORDS)


def add_words(apps, schema_editor):
    add_new_words(apps, schema_editor)
    code, words = CUE_TO_SYNONYM
    rekind(apps, [(code, words, "cue", "synonym")])


class Migration(migrations.Migration):
    dependencies = [
        ("incidents", "0005_city_places"),
    ]

    operations = [
        migrations.RunPython(add_places, migrations.RunPython.noop),
        migrations.RunPython(add_words, migrations.RunPython.noop),
    ]
