"""The duplicate scorer's twenty-fifth version: a 镇's or 乡's villages lie kilometres from
its seat (a spot within 10 km of a rural town's point is in it; a 街道's streets stay within
2.5 km), and a title saying a suspected event is confirmed (…疫情确诊) continues the report of
the suspicion, as a 续报 does."""

from datetime import timedelta

from django.utils import timezone

from incidents import duplicates

from . import sightings


def test_a_spot_ten_km_from_a_rural_towns_seat_is_in_the_town_and_from_a_streets_is_not(tools):
    city = tools[0]
    now = timezone.now()
    town = sightings.sight(tools, "我镇一座山上起火", "宁乡市双凫铺镇", now, "forest_fire", "natural_disaster")
    seat = city.by_name["双凫铺镇"]
    hill = duplicates.sighting(
        category="natural_disaster", at=now - timedelta(minutes=8), text="牛形山着火了 上坟放鞭炮引起的",
        title="牛形山着火了", location_text="荷叶塘村牛形山", subtype="forest_fire",
        lat=seat[1] - 0.02, lon=seat[2] + 0.09, gazetteer=city, reader=tools[1],
    )  # fmt: skip
    km = duplicates.geo.rough_km((town.lat, town.lon), (hill.lat, hill.lon))
    assert 8 < km < 10 and town.area == "town"
    assert duplicates._inside(town, hill, km, city) == duplicates.INSIDE_TOWN
    street = sightings.sight(tools, "辖区一处起火", "雨花区洞井街道", now, "fire")
    far = duplicates.sighting(
        category="accident_disaster", at=now, text="起火了", location_text="某小区", subtype="fire",
        lat=street.lat - 0.02, lon=street.lon + 0.09, gazetteer=city, reader=tools[1],
    )  # fmt: skip
    far_km = duplicates.geo.rough_km((street.lat, street.lon), (far.lat, far.lon))
    assert duplicates._inside(street, far, far_km, city) == 0.0


def test_a_confirmation_continues_the_suspected_report_two_days_on(tools):
    now = timezone.now()
    farm = "浏阳市高坪镇某养殖场"
    suspected = sightings.sight(
        tools, "高坪镇一养殖场疑似牛结节性皮肤病疫情", farm, now - timedelta(hours=43), "animal_epidemic",
        "public_health", text="高坪镇某肉牛养殖场发病17头，疑似牛结节性皮肤病，已采样送检。",
    )  # fmt: skip
    confirmed = sightings.sight(
        tools, "高坪镇牛结节性皮肤病疫情确诊", farm, now, "animal_epidemic", "public_health",
        text="经检测，高坪镇某养殖场样品牛结节性皮肤病病毒核酸阳性，确诊疫情，已扑杀发病牛17头。",
    )  # fmt: skip
    assert confirmed.continues and not suspected.continues
    assert sightings.flagged(tools, confirmed, suspected)
    plain = sightings.sight(
        tools, "高坪镇牛结节性皮肤病疫情", farm, now, "animal_epidemic", "public_health",
        text="高坪镇某养殖场发现牛结节性皮肤病疫情，已扑杀发病牛17头。",
    )  # fmt: skip
    assert not plain.continues
    assert not duplicates.says_it_continues("截至今日累计确诊3例", "某中学流感疫情")  # a count, not a title
