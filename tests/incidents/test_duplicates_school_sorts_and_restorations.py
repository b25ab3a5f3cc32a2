"""The duplicate scorer's thirty-fourth version: the sort of school a text says (某寄宿制中学,
一所寄宿中学, 某民办幼儿园) is no name, so two texts saying it of one town's school are not
two schools; and a title saying the supply is back (线路覆冰故障恢复供电, 恢复通车) continues
the outage or the closure told the day before."""

from datetime import timedelta

from django.utils import timezone

from incidents import duplicates, geo

from .sightings import flagged, sight


def test_the_sort_of_school_is_no_name(tools):
    city = tools[0]
    assert geo.read_streets("金洲镇某寄宿制中学", city).venues == {"小学"}
    assert geo.read_streets("金洲镇一所寄宿中学", city).venues == {"小学"}
    assert geo.read_streets("某民办幼儿园", city).venues == {"幼儿园"}
    named = geo.read_streets("金海寄宿中学", city)
    assert named.firms == {("金海", "小学")} and not named.venues  # a name before the sort stays a name


def test_a_parents_call_and_the_towns_report_of_one_boarding_school_are_one_outbreak(tools):
    now = timezone.now()
    parent = sight(
        tools, "寄宿学校好多学生上吐下泻", "金洲镇一所寄宿中学", now - timedelta(hours=4), "", "public_health",
        guess="epidemic", text="孩子在金洲镇一所寄宿学校读书，昨晚返校后宿舍里好多同学上吐下泻，孩子也吐了三次。",
    )  # fmt: skip
    town = sight(
        tools, "某寄宿制中学多名学生呕吐腹泻", "金洲镇某寄宿制中学", now, "", "public_health",
        guess="epidemic", text="某寄宿制中学昨晚学生返校后陆续出现呕吐、腹泻，至今晨累计13人，已送镇卫生院诊治。",
    )  # fmt: skip
    assert flagged(tools, town, parent)


def test_a_title_saying_the_supply_is_back_continues_the_outage():
    assert duplicates.says_it_continues("经两天抢修今日19时全部恢复。", "老粮仓镇线路覆冰故障恢复供电")
    assert duplicates.says_it_continues("", "S209沩山段恢复通车")
    assert not duplicates.says_it_continues("", "老粮仓镇线路覆冰停电")
    # the thirty-sixth version: a confirmation named first (官桥镇确诊…疫情) as well as last
    assert duplicates.says_it_continues("", "官桥镇确诊H5亚型高致病性禽流感疫情")
