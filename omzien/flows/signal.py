"""The life of a signal: what a signaller reports, and the states a signal moves through.

A *signal* is a worry about one address. Each time someone reports that address while the
signal is open, that is another *report* on the same signal, not a new signal.

States (the words welfare workers use in brackets):

- ``unrouted`` (*niet toegewezen*): no signal point covers the postcode; the administrator sees it.
- ``on_hold`` (*aangehouden*): its reporter filed more than ``REPORT_LIMIT`` reports within an hour, so it
  waits for a coordinator of the point, unseen by the group: let through it is ``new``; set aside, ``closed``.
- ``new`` (*gemeld*): waiting in the group of the responsible point for someone to pick it up.
- ``claimed`` (*in behandeling*): one worker has it and got the address privately. While claimed,
  the worker records contact (the contact deadline is met) and may pause the reminders.
- ``closed`` (*afgehandeld*): the worker recorded an outcome. Within ``UNDO_MINUTES`` they can undo it; within
  ``REOPEN_DAYS`` a coordinator (or the follow-up check, or the resident asking again) can reopen it.

Coordinators steer: they *reassign* a waiting or claimed signal to a worker of the group, and *move* one to
another point (wrong area). Notes, attempts, a question to the reporter and the answers of the follow-up check
are recorded on the signal without changing its state.

Every action is allowed only if ``TRANSITIONS`` lists it, including those that keep the state
(another report, contact, pause); the code that changes a signal asks ``allowed``/``next_status``
instead of testing states by hand. Each action leaves one event row of the kind ``EVENT_OF``
names: the audit trail, and the source of the service-level figures.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum


class Role(StrEnum):
    """Who the signaller is: asked once, remembered, used in statistics and shown to the claimer.

    The values are stored (at most 16 characters); the six of the first version keep their meaning, so an
    account that chose one then still reads right. ``omzien.flows.roles`` groups them for the question."""

    DELIVERER = "deliverer"  # postbode of pakketbezorger
    MEALS = "meals"  # maaltijdbezorger
    HAIRDRESSER = "hairdresser"
    BAKER = "baker"  # bakker of slager
    SUPERMARKET = "supermarket"  # kassa of winkel
    SHOP = "shop"  # andere winkel of dienst (bank, bibliotheek)
    GP = "gp"  # huisarts of praktijkondersteuner
    PHARMACY = "pharmacy"
    HOME_CARE = "home_care"
    DISTRICT_NURSE = "district_nurse"  # wijkverpleging
    WELFARE = "welfare"  # welzijnswerk, buurtteam, sportcoach
    CARETAKER = "caretaker"  # huismeester
    HOUSING = "housing"  # woningcorporatie
    MECHANIC = "mechanic"  # monteur of klusser
    NEIGHBOUR = "neighbour"  # buur of bewoner
    VOLUNTEER = "volunteer"
    FAMILY = "family"  # familie of vriend
    POLICE = "police"  # wijkagent of boa
    OTHER = "other"


class Observation(StrEnum):
    """What a signaller noticed: the signs of the Dutch signal cards."""

    MAILBOX_FULL = "mailbox"
    CURTAINS_CLOSED = "curtains"
    NEGLECTED_HOME = "neglect"
    SAYS_LONELY = "lonely"
    RECENTLY_BEREAVED = "bereaved"
    STAYS_INSIDE = "inside"
    POOR_SELF_CARE = "selfcare"
    CONFUSED = "confused"  # verward of vergeetachtig
    HEARING_SIGHT = "senses"  # hoort of ziet slechter
    CARER_OVERLOADED = "carer"  # mantelzorger lijkt overbelast
    MONEY_WORRIES = "money"
    MOVED_RECENTLY = "moved"
    ABUSE_OR_NEGLECT = "abuse"  # tekenen van mishandeling of verwaarlozing: Veilig Thuis too
    OTHER = "other"
    ASKS_FOR_CALL = "callback"  # not a sign to tick: a resident asked "bel mij terug" (a self-signal)


SIGNS = tuple(o for o in Observation if o is not Observation.ASKS_FOR_CALL)
"""What a signaller can tick."""

COMMON_SIGNS = (Observation.MAILBOX_FULL, Observation.CURTAINS_CLOSED, Observation.NEGLECTED_HOME,
                Observation.SAYS_LONELY, Observation.RECENTLY_BEREAVED, Observation.STAYS_INSIDE,
                Observation.POOR_SELF_CARE, Observation.OTHER)
"""The signs of the signal cards, on the first screen of the checklist: what a deliverer sees from the door."""

MORE_SIGNS = tuple(sign for sign in SIGNS if sign not in COMMON_SIGNS)
"""Signs that need a conversation to notice, one tap away ("Meer"), so the checklist stays one screen."""

NEEDS_VEILIG_THUIS = frozenset({Observation.ABUSE_OR_NEGLECT})
"""Signs after which the reporter also hears of Veilig Thuis: abuse and neglect are not only loneliness."""


class Knows(StrEnum):
    """The first consent question: does the resident know that this is passed on?"""

    YES = "yes"
    NO = "no"
    UNKNOWN = "unknown"


class Consent(StrEnum):
    """What a worker may count on when they contact the resident: both consent questions in one stored value.

    The reporter is asked whether the resident knows (``Knows``) and, only if so, whether the signal point may
    contact them. ``NO`` is the answer of the first version, which asked both at once ("does not know, or does
    not want it"); it is never stored any more, but old reports still show it."""

    YES = "yes"  # knows, and contact is welcome
    DECLINED = "declined"  # knows, and does not want contact
    KNOWS = "knows"  # knows; the reporter does not know about contact
    UNAWARE = "unaware"  # does not know about the report
    UNKNOWN = "unknown"  # the reporter does not know
    NO = "no"  # old: does not know or does not want it


def consent_of(knows: Knows, may_contact_resident: bool | None = None) -> Consent:
    """The stored value for the answers: a second answer counts only when the resident knows."""
    if knows is Knows.NO:
        return Consent.UNAWARE
    if knows is Knows.UNKNOWN:
        return Consent.UNKNOWN
    return {True: Consent.YES, False: Consent.DECLINED, None: Consent.KNOWS}[may_contact_resident]


class Status(StrEnum):
    UNROUTED = "unrouted"
    ON_HOLD = "on_hold"
    NEW = "new"
    CLAIMED = "claimed"
    CLOSED = "closed"


class Action(StrEnum):
    REPORT_AGAIN = "report_again"  # someone else reports the same address while it is open
    ROUTE = "route"  # a point now covers the area of an unrouted signal
    CLAIM = "claim"
    RELEASE = "release"  # the claimer gives it back
    CONTACT = "contact"  # the claimer spoke with the person
    PAUSE = "pause"  # the claimer holds the reminders for a working week
    CLOSE = "close"
    LET_THROUGH = "let_through"  # a coordinator lets a signal on hold go to the group
    SET_ASIDE = "set_aside"  # a coordinator judges a signal on hold not to be one
    UNDO = "undo"  # the claimer takes back a close or a give-back, within UNDO_MINUTES
    REOPEN = "reopen"
    REASSIGN = "reassign"  # a coordinator gives it to a worker of the group
    MOVE = "move"  # a coordinator moves it to another point
    NOTE = "note"  # a case note or a logged attempt; a question to the reporter and its answer
    FOLLOW_UP = "follow_up"  # the answer of the follow-up check, or of the resident who asked to be called


class EventKind(StrEnum):
    """What an event row records. The values are stored; the service-level report reads them."""

    REPORTED = "reported"
    REPORTED_AGAIN = "reported_again"
    ROUTED = "routed"
    CLAIMED = "claimed"
    RELEASED = "released"
    CONTACTED = "contacted"
    PAUSED = "paused"
    CLOSED = "closed"
    LET_THROUGH = "let_through"
    SET_ASIDE = "set_aside"
    UNDONE = "undone"
    REOPENED = "reopened"
    REASSIGNED = "reassigned"
    MOVED = "moved"
    NOTED = "noted"  # detail: the kind of entry (never its text)
    FOLLOWED_UP = "followed_up"  # detail: the answer
    REFERRED = "referred"  # detail: the offer id
    ALERT = "alert"  # the clock sent a reminder or an escalation (see omzien.flows.sla.Alert)
    MADE_URGENT = "urgent"  # a report with words that point to a crisis (never the words)
    ERASED = "erased"  # the resident objected: the personal data went at once (omzien signals erase)


class Outcome(StrEnum):
    """How a worker closes a signal."""

    CONTACT_MADE = "contact"
    REFERRED = "referred"  # doorverwezen naar aanbod
    DECLINED = "declined"  # wil geen hulp
    NOT_REACHED = "unreached"
    ALREADY_KNOWN = "known"  # al bekend bij hulpverlening
    DUPLICATE = "duplicate"
    SET_ASIDE = "set_aside"  # on hold, and a coordinator judged it not to be a signal
    FORWARDED = "forwarded"  # doorgezet naar wijkteam, huisarts, Veilig Thuis or another organisation


class EntryKind(StrEnum):
    """What a case entry records (``Action.NOTE``): the claimer's note or attempt, or a question to the reporter and
    the reporter's answer."""

    NOTE = "note"
    ATTEMPT = "attempt"
    QUESTION = "question"
    ANSWER = "answer"


class Forward(StrEnum):
    """Where a worker forwards a signal outside the point (closing it)."""

    NEIGHBOURHOOD_TEAM = "wijkteam"
    GP = "huisarts"
    SAFE_HOME = "veiligthuis"  # Veilig Thuis: abuse or neglect
    OTHER = "anders"


class Attempt(StrEnum):
    """A try to reach the person that did not close the signal."""

    NOT_HOME = "not_home"
    NO_ANSWER = "no_answer"  # gebeld, geen gehoor
    LETTER = "letter"  # brief in de bus


class FollowUpAnswer(StrEnum):
    """"Hoe gaat het nu?", weeks after a close with contact or a referral."""

    BETTER = "better"
    SAME = "same"
    WORSE = "worse"
    UNKNOWN = "unknown"
    REOPEN = "reopen"


class HelpAnswer(StrEnum):
    """"Heeft het geholpen?", asked of a resident who asked to be called back."""

    YES = "yes"
    A_LITTLE = "a_little"
    NO = "no"
    CALL_AGAIN = "call_again"


CLAIMER_OUTCOMES = frozenset(Outcome) - {Outcome.SET_ASIDE}
FOLLOWED_UP_OUTCOMES = frozenset({Outcome.CONTACT_MADE, Outcome.REFERRED, Outcome.FORWARDED})
"""A close with contact or a referral gets the follow-up check (``Point.follow_up_weeks`` later)."""
"""What the claimer may close with; setting aside is a coordinator's, for signals on hold."""


class PauseReason(StrEnum):
    """Why a claimer holds the reminders: a fixed list, so no personal detail is typed into it."""

    AWAY = "away"  # op vakantie of een tijd weg
    CARE = "care"  # ziek of opgenomen
    WAITING = "waiting"  # wacht op antwoord van de persoon of een ander
    OTHER = "other"


TRANSITIONS: dict[tuple[Status, Action], Status] = {
    (Status.UNROUTED, Action.REPORT_AGAIN): Status.UNROUTED,
    (Status.UNROUTED, Action.ROUTE): Status.NEW,
    (Status.ON_HOLD, Action.LET_THROUGH): Status.NEW,
    (Status.ON_HOLD, Action.SET_ASIDE): Status.CLOSED,
    (Status.NEW, Action.REPORT_AGAIN): Status.NEW,
    (Status.NEW, Action.CLAIM): Status.CLAIMED,
    (Status.CLAIMED, Action.REPORT_AGAIN): Status.CLAIMED,
    (Status.CLAIMED, Action.CONTACT): Status.CLAIMED,
    (Status.CLAIMED, Action.PAUSE): Status.CLAIMED,
    (Status.CLAIMED, Action.RELEASE): Status.NEW,
    (Status.CLAIMED, Action.CLOSE): Status.CLOSED,
    (Status.CLAIMED, Action.NOTE): Status.CLAIMED,
    (Status.CLOSED, Action.UNDO): Status.CLAIMED,
    (Status.NEW, Action.UNDO): Status.CLAIMED,  # a give-back taken back, if nobody claimed it meanwhile
    (Status.CLOSED, Action.REOPEN): Status.NEW,
    (Status.CLOSED, Action.FOLLOW_UP): Status.CLOSED,
    (Status.NEW, Action.REASSIGN): Status.CLAIMED,
    (Status.CLAIMED, Action.REASSIGN): Status.CLAIMED,
    (Status.NEW, Action.MOVE): Status.NEW,
    (Status.CLAIMED, Action.MOVE): Status.NEW,
}

EVENT_OF = {
    Action.REPORT_AGAIN: EventKind.REPORTED_AGAIN,
    Action.ROUTE: EventKind.ROUTED,
    Action.CLAIM: EventKind.CLAIMED,
    Action.RELEASE: EventKind.RELEASED,
    Action.CONTACT: EventKind.CONTACTED,
    Action.PAUSE: EventKind.PAUSED,
    Action.CLOSE: EventKind.CLOSED,
    Action.LET_THROUGH: EventKind.LET_THROUGH,
    Action.SET_ASIDE: EventKind.SET_ASIDE,
    Action.UNDO: EventKind.UNDONE,
    Action.REOPEN: EventKind.REOPENED,
    Action.REASSIGN: EventKind.REASSIGNED,
    Action.MOVE: EventKind.MOVED,
    Action.NOTE: EventKind.NOTED,
    Action.FOLLOW_UP: EventKind.FOLLOWED_UP,
}
"""The event row each action leaves; a new signal leaves ``REPORTED``."""

OPEN_STATUSES = frozenset(status for status, action in TRANSITIONS if action is Action.REPORT_AGAIN)
"""A signal is open while another report can still join it."""

REPORT_LIMIT = 10
REPORT_WINDOW = timedelta(hours=1)
"""More reports than this from one account within the window put its new signals on hold: a flood of reports,
real or not, never reaches a group before a coordinator has looked."""

UNDO_MINUTES = 10
REOPEN_DAYS = 30
RESIDENT_ASKED_AFTER = timedelta(days=14)
"""A resident who asked to be called back is asked "Heeft het geholpen?" this long after the close."""

NOTE_LIMIT = 500
"""A note is a short hint for the worker, not a file: longer text is refused with this limit named."""


class TransitionNotAllowed(Exception):
    def __init__(self, status: Status, action: Action) -> None:
        super().__init__(f"{action} is not allowed on a signal that is {status}")
        self.status, self.action = status, action


def allowed(status: str, action: Action) -> bool:
    return (Status(status), action) in TRANSITIONS


def held(status: str) -> bool:
    """A worker holds the signal: it is claimed (and can be given back)."""
    return allowed(status, Action.RELEASE)


def next_status(status: str, action: Action) -> Status:
    """The state after ``action``; raises TransitionNotAllowed if the table does not allow it."""
    try:
        return TRANSITIONS[(Status(status), action)]
    except KeyError:
        raise TransitionNotAllowed(Status(status), action) from None


@dataclass(frozen=True)
class OpenSignal:
    id: int
    status: Status
    created_at: datetime


def duplicate_of(candidates: Iterable[OpenSignal], now: datetime, window: timedelta) -> int | None:
    """The open signal a new report on the same address belongs to, if any.

    A report joins a signal for the same address that is still open and was first reported
    less than ``window`` ago (``OMZIEN_DUPLICATE_WINDOW_DAYS``, 30 by default); the oldest such signal wins, so a group
    never sees two cards for one address. Closed or older signals do not count: a new worry
    after that is a new signal.
    """
    eligible = [s for s in candidates if s.status in OPEN_STATUSES and now - s.created_at < window]
    return min(eligible, key=lambda s: (s.created_at, s.id)).id if eligible else None


REFERENCE_ALPHABET = "ACDEFHJKMNPQRTWXY34679"
"""Letters and digits that cannot be mistaken for each other when read aloud or retyped
(no 0/O, 1/I/L, 2/Z, 5/S, 8/B, U/V)."""


def new_reference(length: int = 4) -> str:
    """A short reference such as ``S-4K7Q`` that a signaller can read out on the phone."""
    return "S-" + "".join(secrets.choice(REFERENCE_ALPHABET) for _ in range(length))
