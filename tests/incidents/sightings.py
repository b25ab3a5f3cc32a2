"""Reports as the duplicate scorer sees them, without a database: the evaluation's
gazetteer, reader and kinds (`tools`, a module-scoped fixture in conftest.py), a report's
Sighting as intake makes it, and whether the scorer flags a pair."""

from incidents import duplicates


def sight(tools, title, place, at, subtype="", category="accident_disaster", text="", **fields):
    """A report's Sighting as intake makes it (its point geocoded from its place). `fields`:
    duplicates.sighting()'s others (guess, is_drill, zone, unit...)."""
    city, reader, _kinds = tools
    point = city.locate(place)
    return duplicates.sighting(
        category=category,
        at=at,
        text=f"{title} {text}",
        title=title,
        location_text=place,
        subtype=subtype,
        lat=point[1] if point else None,
        lon=point[2] if point else None,
        gazetteer=city,
        reader=reader,
        **fields,
    )


def flagged(tools, new, old):
    """The scorer flags `new` as a possible duplicate of `old`."""
    return duplicates.score(new, old, gazetteer=tools[0], kinds=tools[2])[0] >= duplicates.THRESHOLD
