"""Places: offline geocoding from the gazetteer, optional online geocoder, distances.

Intranets have no internet, so the gazetteer (Place) is the geocoder; an
online geopy geocoder can be switched on with settings.DUTYOPS_GEOCODER
(a geopy geocoder name, e.g. "nominatim"), off by default.
"""

import logging
import math

from django.conf import settings
from geopy.distance import geodesic

from dutyops.cache import Recent

log = logging.getLogger(__name__)


def _load_gazetteer(_):
    from .models import Place

    rows = list(Place.objects.values_list("name", "latitude", "longitude"))
    rows.sort(key=lambda r: -len(r[0]))
    return rows


# Place names longest first, so '橘子洲大桥' wins over '橘子洲'; import_places clears it.
gazetteer = Recent(_load_gazetteer, seconds=60)


def geocode(text):
    """(lat, lon) for a place name or a text mentioning one; None if unknown."""
    text = (text or "").strip()
    if not text:
        return None
    for name, lat, lon in gazetteer.get(None):
        if name and name in text:
            return (lat, lon)
    name = getattr(settings, "DUTYOPS_GEOCODER", "")
    if name:
        return _online(name, text)
    return None


def _online(name, text):
    try:
        from geopy.geocoders import get_geocoder_for_service

        geocoder = get_geocoder_for_service(name)(user_agent="dutyops", timeout=3)
        found = geocoder.geocode(text)
    except Exception as exc:  # noqa: BLE001 - an online lookup must never break intake
        log.warning("online geocoder %s failed: %s", name, exc)
        return None
    return (found.latitude, found.longitude) if found else None


def distance_km(a, b):
    return geodesic(a, b).km


def rough_km(a, b):
    """Haversine on a sphere: within 0.5 % of geodesic, a hundred times cheaper.
    Used to discard far candidates before the exact geodesic distance."""
    lat1, lon1, lat2, lon2 = map(math.radians, (a[0], a[1], b[0], b[1]))
    h = math.sin((lat2 - lat1) / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    return 2 * 6371.0088 * math.asin(min(1.0, math.sqrt(h)))


def bounding_box(lat, lon, km):
    """A lat/lon box that contains the circle of radius km (SQL prefilter)."""
    dlat = km / 110.574
    dlon = km / (111.320 * max(math.cos(math.radians(lat)), 0.01))
    return (lat - dlat, lat + dlat, lon - dlon, lon + dlon)


def text_similarity(a, b):
    """Jaccard similarity of character bigrams: works for Chinese without a tokenizer.
    Either side may be given as a precomputed bigrams() set."""
    ga = a if isinstance(a, set) else bigrams(a)
    gb = b if isinstance(b, set) else bigrams(b)
    if not ga or not gb:
        return 0.0
    return len(ga & gb) / len(ga | gb)


_PUNCTUATION = str.maketrans("", "", "，。、；：,.;:！!？?（）()")


def bigrams(text):
    """Character pairs of the text, ignoring case, whitespace and punctuation."""
    text = "".join((text or "").lower().translate(_PUNCTUATION).split())  # split(): any Unicode space
    return {text[i : i + 2] for i in range(len(text) - 1)} if len(text) > 1 else ({text} if text else set())
