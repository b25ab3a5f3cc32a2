"""Who may see and do what: one table of roles and scopes, and the questions asked of it.

Every access decision in DutyOps comes from here: the API's permission classes
(`dutyops.api.Allowed`), the pages, the templates' menus (`{% if user|may:"…" %}`,
dutyops/templatetags/policy.py), the selectors that filter what a person may
read, and the event stream's audience. A rule changes here, never in a caller.

RULES maps an action to the roles that may take it and the *scope* each role
acts in (CONTRACT.md, "Roles and scope"):

- ALL: the whole jurisdiction;
- SUBTREE: the person's department and every unit below it;
- OWN: the person's own department;
- PARTY: only where the person is a party to the object (on the shift, the
  swap's requester), as the object's domain decides (`relations`);
- ROOM: a duty room's scope: ALL for a person of the general duty office (the
  `duty_office` unit), SUBTREE for a person of any other unit (a bureau's, a
  district's duty room: issue 16); OFFICE: ALL for the office's people, nothing for
  anyone else (what only the office does); BUREAU: SUBTREE for people of any unit
  but the office, nothing for the office's. A rule may give a role a tuple of scopes.

Questions take the object they are about (an incident, an alert, a shift, a
department), so a scope is checked against the departments the object belongs
to, which each domain declares at ready() (`relations.register`). Reads (actions
ending in `.view`) reach what one's departments hold or follow (an alerted
department follows the incident); acts reach only what they hold (the rooms that
registered the incident or received it by transfer). To let a new kind of
person act somewhere, add a rule here; to relate a new model to departments,
register it (`relations.register(Model, departments=..., query=...)`).

The event stream's audience comes from here too (`event_audience`,
INCIDENT_EVENTS): an alert's, its feedback's, a supervision case's events reach
their departments and the jurisdiction-wide readers, never another department
because it has an alert on the same incident.

A superuser (Django's) may take every action in the whole jurisdiction, except
the PERSONAL ones, which are a department's or a device's own acts. The wall
board's account (role `board` alone) only reads: it has no write rule, and
`read_only()` refuses its writes anywhere.
"""

from enum import Enum

from .cache import Recent
from .models.org import Department, Role
from .providers import Providers


class Scope(Enum):
    ALL = "all"
    SUBTREE = "subtree"
    OWN = "own"
    PARTY = "party"
    # Where the person sits decides (CONTRACT.md "Roles and scope"): the general duty
    # office's own people act on the whole jurisdiction, any other room's on its subtree.
    ROOM = "room"  # ALL in the general duty office, else SUBTREE
    OFFICE = "office"  # ALL in the general duty office, else nothing: only the office does it
    BUREAU = "bureau"  # SUBTREE outside the general duty office, else nothing


ALL, SUBTREE, OWN, PARTY = Scope.ALL, Scope.SUBTREE, Scope.OWN, Scope.PARTY
ROOM, OFFICE, BUREAU = Scope.ROOM, Scope.OFFICE, Scope.BUREAU
ADMIN, OFFICER, DUTY_LEADER, LEADER, LIAISON, BOARD = (
    Role.ADMIN,
    Role.DUTY_OFFICER,
    Role.DUTY_LEADER,
    Role.LEADER,
    Role.LIAISON,
    Role.BOARD,
)
EVERY_ROLE = tuple(Role)


def _roles(scope, *roles):
    return dict.fromkeys(roles, scope)


# Who reads the whole jurisdiction whoever they are: admins, leaders, the wall board.
_READERS = _roles(ALL, ADMIN, LEADER, BOARD)
# Duty rooms' staff: the office's for the whole jurisdiction, another room's for its subtree.
_ROOMS = _roles(ROOM, OFFICER, DUTY_LEADER)
# The office's duty staff alone (never another room's).
_OFFICE_STAFF = _roles(OFFICE, OFFICER, DUTY_LEADER)
# What a duty room reads: everything for the readers and the office, one's subtree for
# another room, one's own department for a liaison.
_SEEING = {**_READERS, **_ROOMS, LIAISON: OWN}
# Who sees the whole jurisdiction (the board, the office's pages).
_STAFF = {**_READERS, **_OFFICE_STAFF}
# The duty office's people who steer incidents and the alerts sent for them.
_OPERATORS = {ADMIN: ALL, **_OFFICE_STAFF}
# The office that manages alerts, supervision and circulars (leaders included).
_OFFICE = {ADMIN: ALL, LEADER: ALL, **_OFFICE_STAFF}

RULES = {
    # --- seeing ------------------------------------------------------------------
    "jurisdiction.view": {**_STAFF},  # the board, the office's pages, every record
    "event.view": {**_SEEING},  # the stream (WebSocket, events/, timelines)
    "incident.view": {**_SEEING},
    "alert.view": {**_SEEING},
    "case.view": {**_SEEING},  # supervision cases
    "figures.view": {**_SEEING},  # performance figures (考核)
    "people.view": {**_SEEING},
    "duty.view": {**_SEEING},  # rosters, absences, leaves, exports, daily reports
    "swap.view": {
        **_roles(ALL, ADMIN, LEADER),
        DUTY_LEADER: (ROOM, PARTY),
        **_roles(PARTY, OFFICER, LIAISON, BOARD),
    },
    "classified.view": {**_OFFICE},
    "deliveries.view": {**_OFFICE},  # notification deliveries
    # --- the organisation and reference data ---------------------------------------
    "org.write": {ADMIN: ALL},  # departments, people
    "reference.write": {ADMIN: ALL},  # holidays, duty rules, subtypes, escalation steps, channels
    "plan.write": {ADMIN: ALL},  # the plan library
    # --- duty ----------------------------------------------------------------------
    "roster.write": {ADMIN: ALL, DUTY_LEADER: ROOM},  # shifts, rotations, leaves: one's own rooms
    "post_check.write": {**_roles(ALL, ADMIN, LEADER), DUTY_LEADER: ROOM},
    "swap.approve": {ADMIN: ALL, DUTY_LEADER: ROOM},  # the room's duty leader, or one above it
    "handover.write": {ADMIN: ALL, **_roles(PARTY, OFFICER, DUTY_LEADER, LEADER, LIAISON)},  # on the shift
    "dutylog.write": {
        **_roles(ALL, ADMIN, LEADER),
        DUTY_LEADER: (ROOM, PARTY),
        **_roles(PARTY, OFFICER, LIAISON),
    },
    "calendar.others": {ADMIN: ALL},  # subscribe to another person's duty calendar
    # --- incidents (acts: on the incidents one's rooms hold, see `holds`) --------------
    "incident.operate": {**_OPERATORS, **_ROOMS},  # intake, transitions, merges, upward reports
    "incident.instruct": {LEADER: ALL, DUTY_LEADER: ROOM},  # a leader's own words (批示): not the admin's
    "incident.confirm_transfer": {ADMIN: ALL, **_roles(OWN, OFFICER, DUTY_LEADER, LEADER, LIAISON)},
    "classified.write": {**_OPERATORS},
    # --- up and down the chain (chain/) ------------------------------------------------
    "upward.report": {**_OPERATORS},  # verification, upward reports (首报/续报/终报)
    "inbound.sign": {**_OPERATORS},  # sign for a report from a lower installation
    "link.manage": {ADMIN: ALL},  # installations linked up and down the chain
    # --- plans -----------------------------------------------------------------------
    "activation.propose": {**_OFFICE, **_ROOMS},  # also level changes and terminations
    # Leaders decide (CONTRACT), not the admin; another room's duty leader only on the
    # incidents its rooms hold, never on the office's or another room's.
    "activation.approve": {LEADER: ALL, DUTY_LEADER: ROOM},
    # --- alerts and supervision -----------------------------------------------------------
    "alert.dispatch": {**_OPERATORS},
    "alert.manage": {**_OFFICE},  # close, return for more, circulars
    # sign for, feed back: the department's liaison, or whoever is on duty for it
    "alert.act": {LIAISON: OWN, **_roles(PARTY, OFFICER, DUTY_LEADER, LEADER)},
    "case.manage": {**_OFFICE},  # open, assign, review, re-check
    "case.act": {**_roles(ALL, ADMIN, LEADER), **_ROOMS, LIAISON: OWN},  # report progress, complete
    # --- pages (the menus ask these) -------------------------------------------------
    "page.board": {**_STAFF},
    "page.leader": {**_roles(ALL, ADMIN, LEADER), DUTY_LEADER: OFFICE},
    "page.console": {**_OPERATORS},
    "page.office": {**_STAFF},  # incidents, alerts office, roster, plans, supervision, figures
    # a department's desk: its liaison, and another room's duty staff
    "page.department_console": {LIAISON: OWN, **_roles(BUREAU, OFFICER, DUTY_LEADER)},
    "kiosk.login": {BOARD: ALL},  # the wall screen signs in with its token in the address (?token=)
    "page.admin_site": {},  # Django's admin site (/admin/): no role opens it, the staff flag does (BY_STAFF_FLAG)
    # --- ways in, reports from every room, accountability (issue 19) ----------------------
    # Filing a report (POST reports/): the office for anyone, a department's or district's
    # duty room within its subtree, a liaison for its own department; marked with its source.
    "report.file": {ADMIN: ALL, **_roles(ROOM, OFFICER, DUTY_LEADER), LIAISON: OWN},
    "source.manage": {ADMIN: ALL},  # the systems allowed in (inbound/, cap/) and their keys
    "warning.view": {**_STAFF},  # imported CAP warnings (the board's panel)
    "warning.import": {**_OPERATORS},  # a CAP document uploaded by hand; opening an incident from a warning
    # The registers of late/omitted/concealed/false reports and of staff errors.
    "accountability.view": {**_roles(ALL, ADMIN, LEADER), **_roles(ROOM, OFFICER, DUTY_LEADER), LIAISON: OWN},
    "accountability.decide": {**_roles(ALL, ADMIN, LEADER), DUTY_LEADER: ROOM},
}

# Acts that are a department's or a device's own: a superuser does not take them
# for it (signing for another department's alert, the wall screen's sign-in).
PERSONAL = frozenset({"alert.act", "kiosk.login", "page.department_console"})

# Opened by an account's staff flag (Django's is_staff), not by a role: the admin site,
# whose menu entries ask this and which asks it itself (dutyops/admin.py). An active
# staff account may, in the whole jurisdiction; nobody else, a superuser without the
# flag included (Django's own rule for its admin site).
BY_STAFF_FLAG = frozenset({"page.admin_site"})

# Where each role starts its day (home page): the first whose page the person may open
# wins; None: the launcher.
LANDING = [
    ((LEADER, DUTY_LEADER), "page.leader", "board-leader"),
    ((OFFICER,), "page.console", "console"),
    ((LIAISON, OFFICER, DUTY_LEADER), "page.department_console", "alerts-console"),
    ((BOARD,), "page.board", "board"),
]


# --- how objects relate to departments and people ------------------------------------


class Relation:
    """What the domains tell the policy about one kind of object: the departments it
    belongs to (for one object, and as a query filter for many), and whether a
    person is a party to it. Several apps may contribute (alerts add the departments
    alerted on an incident); answers are united. A contribution that only *follows*
    the object (an alerted department follows the incident) counts for reading it,
    never for acting on it: acts need a department that holds it."""

    def __init__(self):
        self.departments = Providers("departments of")
        self.followers = Providers("followers of")
        self.party = Providers("party to")
        self.query = Providers("query for")
        self.follower_query = Providers("followers query for")


class Relations:
    def __init__(self):
        self._by_model = {}

    def of(self, model):
        return self._by_model.setdefault(model, Relation())

    def register(self, model, *, departments=None, party=None, query=None, follows=False):
        """departments(obj) -> ids; party(obj, person) -> bool; query(department ids) -> Q
        matching the objects that belong to any of those departments. follows=True: those
        departments see the object (reads) but do not hold it (acts)."""
        relation = self.of(model)
        pairs = (
            (relation.followers if follows else relation.departments, departments),
            (relation.party, party),
            (relation.follower_query if follows else relation.query, query),
        )
        for providers, fn in pairs:
            if fn is not None:
                providers.register(fn)

    def departments_of(self, obj, holding=False):
        """The departments `obj` belongs to: those holding it, and (unless holding=True)
        those following it."""
        if isinstance(obj, Department):
            return {obj.pk}
        relation = self._by_model.get(type(obj))
        if relation is None:
            raise LookupError(f"no relation registered for {type(obj).__name__}")
        found = relation.departments.collect(obj)
        if not holding:
            found += relation.followers.collect(obj)
        return {d for each in found for d in each if d is not None}

    def q_for(self, model, department_ids, holding=False):
        """A Q over `model` matching what belongs to any of `department_ids` (what they
        hold, and unless holding=True what they follow)."""
        relation = self.of(model)
        found = relation.query.collect(department_ids)
        if not holding:
            found += relation.follower_query.collect(department_ids)
        if not found:
            raise LookupError(f"no query relation registered for {model.__name__}")
        q = found[0]
        for more in found[1:]:
            q |= more
        return q

    def is_party(self, obj, person):
        relation = self._by_model.get(type(obj))
        return relation is not None and any(relation.party.collect(obj, person))


relations = Relations()

# The departments that follow an incident ({incident id: {department ids}}), for its
# events' audience: each app that relates departments to incidents contributes (the
# incidents app its holding rooms, alerts the departments alerted on it).
incident_followers = Providers("incident followers")


# --- the questions ------------------------------------------------------------------


def roles_of(person):
    """The person's roles; nobody signed out or deactivated has any."""
    if person is None or not getattr(person, "is_authenticated", False) or not person.is_active:
        return frozenset()
    return frozenset(person.roles)


# The ids of the duty office units, for in_office() on a person loaded without their
# department (a room's people, an event's audience): asked for several people per
# report, an EXISTS each otherwise. Any edit of a department clears it (dutyops.apps);
# other processes follow within DUTYOPS_CACHE_SECONDS.
offices = Recent(
    lambda _: frozenset(Department.objects.filter(kind=Department.Kind.DUTY_OFFICE).values_list("pk", flat=True))
)


def in_office(person):
    """Whether `person` belongs to the general duty office (the `duty_office` unit):
    its duty staff act for the whole jurisdiction (CONTRACT.md "Roles and scope")."""
    found = getattr(person, "_dutyops_in_office", None)
    if found is None:
        department_id = getattr(person, "department_id", None)
        if department_id is None:
            found = False
        elif "department" in getattr(getattr(person, "_state", None), "fields_cache", ()):
            found = person.department is not None and person.department.kind == Department.Kind.DUTY_OFFICE
        else:
            found = department_id in offices.get(None)
        try:
            person._dutyops_in_office = found
        except AttributeError:
            pass
    return found


def _resolved(person, scopes):
    """A rule's scope(s) for this person: ROOM, OFFICE and BUREAU become ALL, SUBTREE or nothing."""
    for scope in scopes if isinstance(scopes, tuple) else (scopes,):
        if scope is ROOM:
            yield ALL if in_office(person) else SUBTREE
        elif scope is OFFICE:
            if in_office(person):
                yield ALL
        elif scope is BUREAU:
            if not in_office(person):
                yield SUBTREE
        else:
            yield scope


def _grants(person, action):
    """The scopes in which `person` may take `action` (one per role that may)."""
    rule = RULES[action]
    if action in BY_STAFF_FLAG:
        return [ALL] if getattr(person, "is_staff", False) and person.is_active else []
    scopes = [s for role in roles_of(person) if role in rule for s in _resolved(person, rule[role])]
    if action not in PERSONAL and getattr(person, "is_superuser", False) and person.is_active:
        scopes.append(ALL)
    return scopes


def is_read(action):
    """Reads reach what one's departments hold or follow; acts only what they hold."""
    return action.endswith(".view")


def may(person, action, obj=None):
    """May `person` take `action` (on `obj`)? Without an object: somewhere, at all."""
    scopes = _grants(person, action)
    if not scopes or obj is None:
        return bool(scopes)
    if ALL in scopes:
        return True
    wanted = None
    for scope in scopes:
        if scope is PARTY:
            if relations.is_party(obj, person):
                return True
            continue
        if wanted is None:
            wanted = relations.departments_of(obj, holding=not is_read(action))
        if wanted & departments_in(person, scope):
            return True
    return False


def departments_in(person, scope):
    """The department ids `person` acts for in `scope` (not ALL, not PARTY)."""
    own = person.department_id
    if own is None:
        return frozenset()
    if scope is OWN:
        return frozenset({own})
    if scope is SUBTREE:
        return frozenset(subtree(own))
    return frozenset()


def scope(person, action):
    """For filtering reads: None when `person` may act on the whole jurisdiction,
    else the department ids they act for (empty: none; PARTY rules add nothing here,
    the selector adds the person's own records)."""
    scopes = _grants(person, action)
    if ALL in scopes:
        return None
    found = set()
    for each in scopes:
        found |= departments_in(person, each)
    return frozenset(found)


def visible(person, action, queryset):
    """`queryset` narrowed to what `person` may reach under `action` (the relation
    registered for its model says how objects belong to departments)."""
    departments = scope(person, action)
    if departments is None:
        return queryset
    if not departments:
        return queryset.none()
    return queryset.filter(relations.q_for(queryset.model, departments, holding=not is_read(action)))


def sees_jurisdiction(person):
    """Whether `person` sees every record and event (the office, leaders, the board)."""
    return ALL in _grants(person, "jurisdiction.view")


def without_role(person):
    """An account with no role (and not a superuser): a linked installation's account
    standing for the higher level (chain_link up), which only posts its sign-for on
    its link. It reaches no endpoint but those that authenticate a link (403)."""
    return not roles_of(person) and not getattr(person, "is_superuser", False)


def read_only(person):
    """The wall board's account: reads everything, changes nothing."""
    roles = roles_of(person)
    return bool(roles) and roles <= {BOARD} and not person.is_superuser


def landing(person):
    """The URL name of the page `person` starts on, or None (the launcher)."""
    roles = roles_of(person)
    for wanted, page, url_name in LANDING:
        if roles.intersection(wanted) and may(person, page):
            return url_name
    return None


def subtree(department_id):
    """`department_id` and every unit below it."""
    children = {}
    for pk, parent in Department.objects.values_list("pk", "parent_id"):
        children.setdefault(parent, []).append(pk)
    found, todo = set(), [department_id]
    while todo:
        node = todo.pop()
        if node not in found:
            found.add(node)
            todo += children.get(node, [])
    return found


# --- the event stream's audience ---------------------------------------------------------

# Events about an incident's own facts (title, place, category, grade, status, reports,
# instructions, the plan response): they reach whoever may see the incident, that is the
# rooms holding it and the departments with an alert on it (CONTRACT.md). Every other
# event (an alert, its feedback, a supervision case, a room's roster or duty log, a
# classified delivery) reaches only the departments its write names: never a department
# because it has its own alert on the same incident. The jurisdiction-wide readers
# (event.view in ALL) hear every event.
INCIDENT_EVENTS = (
    "incident.",
    "report.",
    "instruction.",
    "activation.",
    "plan.activated",
    "plan.level_changed",
    "plan.terminated",
    "plan.matched",
)


def reaches_incident(event_type):
    """Whether an event of this type reaches those who may see its incident."""
    return event_type.startswith(INCIDENT_EVENTS)


def followers(incident_ids):
    """{incident id: ids of the departments that may see it}: its incident-level events
    reach them (beyond the jurisdiction-wide readers). The apps relating departments to
    incidents answer (`incident_followers`)."""
    found = {incident_id: set() for incident_id in incident_ids}
    if found:
        for answer in incident_followers.collect(set(found)):
            for incident_id, departments in answer.items():
                found.setdefault(incident_id, set()).update(departments)
    return found


def event_audience(event_type, departments, followers=()):
    """The departments an event reaches (beyond the jurisdiction-wide readers): those the
    write names, and for an incident-level event those who may see its incident. Stored
    with the event; a socket hears it when one of its rooms is among them (stream_rooms)."""
    if reaches_incident(event_type):
        return sorted({*departments, *followers})
    return sorted(set(departments))


def stream_rooms(person):
    """The event hub's rooms a person's socket joins: None for every event, else
    the department ids whose events it receives (an event reaches a department's
    room when that department is in the event's audience)."""
    return scope(person, "event.view")
