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
  swap's requester), as the object's domain decides (`relations`).

Questions take the object they are about (an incident, an alert, a shift, a
department), so a scope is checked against the departments the object belongs
to, which each domain declares at ready() (`relations.register`). Issue 16
adds department scope by changing scopes in RULES (and SCOPES below), not callers.

A superuser (Django's) may take every action in the whole jurisdiction, except
the PERSONAL ones, which are a department's or a device's own acts. The wall
board's account (role `board` alone) only reads: it has no write rule, and
`read_only()` refuses its writes anywhere.
"""

from enum import Enum

from .models.org import Department, Role
from .providers import Providers


class Scope(Enum):
    ALL = "all"
    SUBTREE = "subtree"
    OWN = "own"
    PARTY = "party"
    # A duty room's scope (CONTRACT "Roles and scope"): the general duty office's own
    # people act on the whole jurisdiction (ALL), any other room's on its subtree.
    ROOM = "room"


ALL, SUBTREE, OWN, PARTY, ROOM = Scope.ALL, Scope.SUBTREE, Scope.OWN, Scope.PARTY, Scope.ROOM
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


# Who sees the whole jurisdiction (today: every role but the liaison).
_STAFF = _roles(ALL, ADMIN, OFFICER, DUTY_LEADER, LEADER, BOARD)
# The duty office's people who steer incidents and the alerts sent for them.
_OPERATORS = _roles(ALL, ADMIN, OFFICER, DUTY_LEADER)
# The office that manages alerts, supervision and circulars (leaders included).
_OFFICE = _roles(ALL, ADMIN, OFFICER, DUTY_LEADER, LEADER)

RULES = {
    # --- seeing ------------------------------------------------------------------
    "jurisdiction.view": {**_STAFF},  # the board, the office's pages, every record
    "event.view": {**_STAFF, LIAISON: OWN},  # the stream (WebSocket, events/, timelines)
    "incident.view": {**_STAFF, LIAISON: OWN},
    "alert.view": {**_STAFF, LIAISON: OWN},
    "case.view": {**_STAFF, LIAISON: OWN},  # supervision cases
    "figures.view": {**_STAFF, LIAISON: OWN},  # performance figures (考核)
    "people.view": {**_STAFF, LIAISON: OWN},
    "duty.view": {**_STAFF, LIAISON: OWN},  # rosters, absences, leaves, exports, daily reports
    "swap.view": {**_roles(ALL, ADMIN, DUTY_LEADER, LEADER), **_roles(PARTY, OFFICER, LIAISON, BOARD)},
    "classified.view": {**_OFFICE},
    "deliveries.view": {**_OFFICE},  # notification deliveries
    # --- the organisation and reference data ---------------------------------------
    "org.write": {ADMIN: ALL},  # departments, people
    "reference.write": {ADMIN: ALL},  # holidays, duty rules, subtypes, escalation steps, channels
    "plan.write": {ADMIN: ALL},  # the plan library
    # --- duty ----------------------------------------------------------------------
    "roster.write": _roles(ALL, ADMIN, DUTY_LEADER),  # shifts, rotations, leaves
    "post_check.write": _roles(ALL, ADMIN, DUTY_LEADER, LEADER),
    "swap.approve": {ADMIN: ALL, DUTY_LEADER: SUBTREE},  # the room's duty leader, or one above it
    "handover.write": {ADMIN: ALL, **_roles(PARTY, OFFICER, DUTY_LEADER, LEADER, LIAISON)},  # on the shift
    "dutylog.write": {**_roles(ALL, ADMIN, DUTY_LEADER, LEADER), **_roles(PARTY, OFFICER, LIAISON)},
    "calendar.others": {ADMIN: ALL},  # subscribe to another person's duty calendar
    # --- incidents -------------------------------------------------------------------
    "incident.operate": {**_OPERATORS},  # intake, transitions, merges, upward reports
    "incident.instruct": _roles(ALL, LEADER, DUTY_LEADER),  # a leader's own words (批示): not the admin's
    "incident.confirm_transfer": {ADMIN: ALL, **_roles(OWN, OFFICER, DUTY_LEADER, LEADER, LIAISON)},
    "classified.write": {**_OPERATORS},
    # --- plans -----------------------------------------------------------------------
    "activation.propose": {**_OFFICE},
    "activation.approve": _roles(ALL, DUTY_LEADER, LEADER),  # leaders decide (CONTRACT), not the admin
    # --- alerts and supervision -----------------------------------------------------------
    "alert.dispatch": {**_OPERATORS},
    "alert.manage": {**_OFFICE},  # close, return for more, circulars
    "alert.act": {LIAISON: OWN, **_roles(PARTY, OFFICER, DUTY_LEADER, LEADER)},  # sign for, feed back
    "case.manage": {**_OFFICE},  # open, assign, review, re-check
    "case.act": {**_OFFICE, LIAISON: OWN},  # report progress, complete
    # --- pages (the menus ask these) -------------------------------------------------
    "page.board": {**_STAFF},
    "page.leader": _roles(ALL, ADMIN, LEADER, DUTY_LEADER),
    "page.console": {**_OPERATORS},
    "page.office": {**_STAFF},  # incidents, alerts office, roster, plans, supervision, figures
    "page.department_console": {LIAISON: OWN},
    "kiosk.login": {BOARD: ALL},  # the wall screen signs in with its token in the address (?token=)
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

# Where each role starts its day (home page), first match wins; None: the launcher.
LANDING = [
    ((LEADER, DUTY_LEADER), "board-leader"),
    ((OFFICER,), "console"),
    ((LIAISON,), "alerts-console"),
    ((BOARD,), "board"),
]


# --- how objects relate to departments and people ------------------------------------


class Relation:
    """What the domains tell the policy about one kind of object: the departments it
    belongs to (for one object, and as a query filter for many), and whether a
    person is a party to it. Several apps may contribute (alerts add the departments
    alerted on an incident); answers are united."""

    def __init__(self):
        self.departments = Providers("departments of")
        self.party = Providers("party to")
        self.query = Providers("query for")


class Relations:
    def __init__(self):
        self._by_model = {}

    def of(self, model):
        return self._by_model.setdefault(model, Relation())

    def register(self, model, *, departments=None, party=None, query=None):
        """departments(obj) -> ids; party(obj, person) -> bool; query(department ids) -> Q
        matching the objects that belong to any of those departments."""
        relation = self.of(model)
        for providers, fn in ((relation.departments, departments), (relation.party, party), (relation.query, query)):
            if fn is not None:
                providers.register(fn)

    def departments_of(self, obj):
        if isinstance(obj, Department):
            return {obj.pk}
        relation = self._by_model.get(type(obj))
        if relation is None:
            raise LookupError(f"no relation registered for {type(obj).__name__}")
        return {d for found in relation.departments.collect(obj) for d in found if d is not None}

    def q_for(self, model, department_ids):
        """A Q over `model` matching what belongs to any of `department_ids`."""
        found = self.of(model).query.collect(department_ids)
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
# events' audience: each app that relates departments to incidents contributes.
incident_followers = Providers("incident followers")


# --- the questions ------------------------------------------------------------------


def roles_of(person):
    """The person's roles; nobody signed out or deactivated has any."""
    if person is None or not getattr(person, "is_authenticated", False) or not person.is_active:
        return frozenset()
    return frozenset(person.roles)


def _grants(person, action):
    """The scopes in which `person` may take `action` (one per role that may)."""
    rule = RULES[action]
    scopes = [_room(rule[role], person) for role in roles_of(person) if role in rule]
    if action not in PERSONAL and getattr(person, "is_superuser", False) and person.is_active:
        scopes.append(ALL)
    return scopes


def _room(scope, person):
    """ROOM as the person's room has it: ALL in the general duty office, else SUBTREE."""
    if scope is not ROOM:
        return scope
    department = person.department if person.department_id else None
    return ALL if department is not None and department.kind == Department.Kind.DUTY_OFFICE else SUBTREE


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
            wanted = relations.departments_of(obj)
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
    return queryset.filter(relations.q_for(queryset.model, departments))


def sees_jurisdiction(person):
    """Whether `person` sees every record and event (the office, leaders, the board)."""
    return ALL in _grants(person, "jurisdiction.view")


def read_only(person):
    """The wall board's account: reads everything, changes nothing."""
    roles = roles_of(person)
    return bool(roles) and roles <= {BOARD} and not person.is_superuser


def landing(person):
    """The URL name of the page `person` starts on, or None (the launcher)."""
    roles = roles_of(person)
    for wanted, url_name in LANDING:
        if roles.intersection(wanted):
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


def followers(incident_ids):
    """{incident id: ids of the departments that follow it}: its events reach them
    (beyond the jurisdiction-wide roles). The apps relating departments to
    incidents answer (`incident_followers`)."""
    found = {incident_id: set() for incident_id in incident_ids}
    if found:
        for answer in incident_followers.collect(set(found)):
            for incident_id, departments in answer.items():
                found.setdefault(incident_id, set()).update(departments)
    return found


def event_audience(event_type, departments, followers):
    """The departments an event reaches (beyond the jurisdiction-wide roles): those the
    write names, and those following its incident. Stored with the event; a socket hears
    it when one of its rooms is among them (stream_rooms)."""
    return sorted({*departments, *followers})


def stream_rooms(person):
    """The event hub's rooms a person's socket joins: None for every event, else
    the department ids whose events it receives (an event reaches a department's
    room when that department is in the event's audience)."""
    return scope(person, "event.view")
