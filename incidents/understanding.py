"""Understanding the caller at intake: what a report's words say about its subtype
(incidents.lexicon), its grade (incidents.grading), its district, and which open
incident it may already be (incidents.duplicates).

The editable tables (LexiconTerm, GradeRule, Subtype, Place) are read through
short-lived per-process caches (dutyops.cache.Recent): an edit clears them at once in
the process that made it (incidents.apps connects the signals) and the others follow
within a minute.
"""

from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.utils import timezone

from dutyops.cache import Recent

from . import duplicates, geo, grading, lexicon
from .models import GradeRule, LexiconTerm, Subtype

# The prefilter's box around a located report (beyond it only a shared name, a wide-area
# kind or a road's imprecise point can make a duplicate; those have their own reach).
DUPLICATE_KM = getattr(settings, "DUTYOPS_DUPLICATE_KM", 2.5)
DUPLICATE_WINDOW_HOURS = getattr(settings, "DUTYOPS_DUPLICATE_WINDOW_HOURS", 24)
DUPLICATE_LIMIT = 5


def _load_reader(_):
    categories = dict(Subtype.objects.filter(active=True).values_list("code", "category"))
    entries = [
        (code or "", word, weight)
        for code, word, weight in LexiconTerm.objects.filter(active=True).values_list("subtype__code", "word", "weight")
    ]
    return lexicon.Lexicon(entries, categories, geo.gazetteer.get(None).names())


def _load_rules(_):
    fields = ("category", "subtype", "grade", "words", "note", "active", *grading.CRITERIA)
    return list(GradeRule.objects.filter(active=True).values(*fields))


reader = Recent(_load_reader, seconds=60)
rules = Recent(_load_rules, seconds=60)
subtype_names = Recent(lambda _: dict(Subtype.objects.values_list("code", "name")), seconds=60)
# Related, wide-area, slow and fast kinds: the duplicate finder's parameters, from the data file.
KINDS = duplicates.Kinds(*lexicon.kinds_of_events())


def forget(*args, **kwargs):
    """Signal receiver: a lexicon word, grade rule, subtype or place changed."""
    for cache in (reader, rules, subtype_names):
        cache.clear()


@dataclass
class Assessment:
    inference: lexicon.Inference
    grade: dict  # grading.suggest(): {"grade", "reasons", "basis"}
    district: str


def report_text(data):
    return " ".join(filter(None, [data.get("title"), data.get("location_text"), data.get("description")]))


def assess(
    *,
    title="",
    description="",
    location_text="",
    category="",
    subtype="",
    deaths=None,
    injuries=None,
    missing=None,
    latitude=None,
    longitude=None,
):
    """What the words say: the subtype (among the category's), the grade, the district."""
    text = " ".join(filter(None, [title, location_text, description]))
    inference = reader.get(None).infer(text, category or None, title=title)
    facts = grading.read_facts(text, deaths=deaths, injuries=injuries, missing=missing)
    kind = subtype or inference.code
    grade = grading.suggest(rules.get(None), category=category, subtype=kind, facts=facts)
    district = geo.gazetteer.get(None).district_of(f"{location_text} {title}", latitude, longitude)
    return Assessment(inference=inference, grade=grade, district=district)


def apply(incident, assessment, *, reported_subtype=False):
    """Set the incident's suggestion fields, and its subtype when the words are sure
    and nobody gave or confirmed one. Returns the names of the fields changed."""
    changed = set()
    suggestion = assessment.inference.as_dict()
    if incident.subtype_suggestion != suggestion:
        incident.subtype_suggestion = suggestion
        changed.add("subtype_suggestion")
    if reported_subtype:
        if incident.subtype_source != "reported":
            incident.subtype_source = "reported"
            changed.add("subtype_source")
    elif incident.subtype_source == "inferred" or not incident.subtype:
        inference = assessment.inference
        code = inference.code if inference.confident else ""
        source = "inferred" if code else ""
        if (incident.subtype, incident.subtype_source) != (code, source):
            if incident.subtype != code:
                changed.add("subtype")
            incident.subtype, incident.subtype_source = code, source
            changed.add("subtype_source")
    if incident.grade_suggestion != assessment.grade:
        incident.grade_suggestion = assessment.grade
        changed.add("grade_suggestion")
    if assessment.district and incident.district != assessment.district:
        incident.district = assessment.district
        changed.add("district")
    return changed


# --- duplicates --------------------------------------------------------------------------


def new_sighting(*, latitude=None, longitude=None, **fields):
    """A Sighting of a new report: duplicates.sighting's fields (category, at, text,
    location_text, subtype, guess, is_drill, unit, title), read with the current gazetteer and
    lexicon; the times of day its words give are the installation's (TIME_ZONE)."""
    return duplicates.sighting(
        lat=latitude,
        lon=longitude,
        gazetteer=geo.gazetteer.get(None),
        reader=reader.get(None),
        zone=timezone.get_default_timezone(),
        **fields,
    )


def possible_duplicates(new, *, phone="", exclude=None, limit=DUPLICATE_LIMIT):
    """[(score, reasons, Row)]: open incidents that may be the event `new` (a Sighting) reports."""
    window = timedelta(hours=DUPLICATE_WINDOW_HOURS)
    gazetteer = geo.gazetteer.get(None)
    # A written report's words may give an earlier time of the event (2月17日, 昨晚): the
    # window reaches back from it, as the time score reads it (duplicates.closest).
    since = min(new.at, new.stated) if new.stated else new.at
    # A report that says it continues an earlier one (续报) looks further back, for every kind.
    start = since - window * (duplicates.CONTINUES_WINDOW if new.continues else 1)
    rows = duplicates.candidate_rows(
        category=new.category,
        is_drill=new.is_drill,
        start=start,
        end=new.at + window,
        new=new,
        phone=phone,
        exclude=exclude,
        gazetteer=gazetteer,
        kinds=KINDS,
        km=DUPLICATE_KM,
        slow_start=since - window * duplicates.slow_window(new),
    )
    return duplicates.find(
        new, rows, gazetteer=gazetteer, reader=reader.get(None), kinds=KINDS, limit=limit, names=subtype_names.get(None)
    )
