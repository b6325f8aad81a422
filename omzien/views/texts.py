"""Names of things as people read them. Every text goes through gettext; Dutch is the source."""

from __future__ import annotations

from omzien.core.i18n import lazy_gettext as __
from omzien.flows.signal import (
    Attempt,
    Consent,
    FollowUpAnswer,
    Forward,
    HelpAnswer,
    Knows,
    Observation,
    Outcome,
    PauseReason,
    Role,
)
from omzien.flows.signallers import RoleGroup
from omzien.views.buttons import Intent

ROLES = {
    Role.DELIVERER: __("Postbode of pakketbezorger"),
    Role.MEALS: __("Maaltijdbezorger"),
    Role.HAIRDRESSER: __("Kapper"),
    Role.BAKER: __("Bakker of slager"),
    Role.SUPERMARKET: __("Supermarkt of kassa"),
    Role.SHOP: __("Andere winkel of dienst"),
    Role.GP: __("Huisarts of praktijk"),
    Role.PHARMACY: __("Apotheek"),
    Role.HOME_CARE: __("Thuiszorg"),
    Role.DISTRICT_NURSE: __("Wijkverpleging"),
    Role.WELFARE: __("Welzijn, buurtteam of sportcoach"),
    Role.CARETAKER: __("Huismeester"),
    Role.HOUSING: __("Woningcorporatie"),
    Role.MECHANIC: __("Monteur of klusser"),
    Role.NEIGHBOUR: __("Buur of bewoner"),
    Role.VOLUNTEER: __("Vrijwilliger"),
    Role.FAMILY: __("Familie of vriend"),
    Role.POLICE: __("Wijkagent of boa"),
    Role.OTHER: __("Anders"),
}

ROLE_GROUPS = {
    RoleGroup.DELIVERY: __("Bezorging"),
    RoleGroup.SHOPS: __("Winkel of dienst"),
    RoleGroup.CARE: __("Zorg en welzijn"),
    RoleGroup.HOUSING: __("Wonen"),
    RoleGroup.NEIGHBOURHOOD: __("Buurt en familie"),
    RoleGroup.OTHER: __("Anders"),
}

OBSERVATIONS = {
    Observation.MAILBOX_FULL: __("Overvolle brievenbus"),
    Observation.CURTAINS_CLOSED: __("Gordijnen dag en nacht dicht"),
    Observation.NEGLECTED_HOME: __("Verwaarloosde tuin of woning"),
    Observation.SAYS_LONELY: __("Zegt zich alleen te voelen"),
    Observation.RECENTLY_BEREAVED: __("Partner kort geleden overleden"),
    Observation.STAYS_INSIDE: __("Komt niet meer buiten"),
    Observation.POOR_SELF_CARE: __("Verzorgt zichzelf slecht"),
    Observation.CONFUSED: __("Verward of vergeetachtig"),
    Observation.HEARING_SIGHT: __("Hoort of ziet slechter"),
    Observation.CARER_OVERLOADED: __("Mantelzorger lijkt overbelast"),
    Observation.MONEY_WORRIES: __("Geldzorgen"),
    Observation.MOVED_RECENTLY: __("Woont hier pas"),
    Observation.ABUSE_OR_NEGLECT: __("Tekenen van mishandeling of verwaarlozing"),
    Observation.OTHER: __("Iets anders"),
    Observation.ASKS_FOR_CALL: __("Vraagt zelf om een belletje"),
}

KNOWS_ANSWERS = {
    Knows.YES: __("Ja"),
    Knows.NO: __("Nee"),
    Knows.UNKNOWN: __("Weet ik niet"),
}

CONSENT_STATUS = {
    Consent.YES: __("weet ervan; contact is welkom"),
    Consent.DECLINED: __("weet ervan, maar wil geen contact"),
    Consent.KNOWS: __("weet ervan; of contact welkom is, is niet gevraagd"),
    Consent.UNAWARE: __("weet het niet"),
    Consent.UNKNOWN: __("onbekend"),
    Consent.NO: __("weet het niet of wil het niet"),
}
"""What a worker can act on, for the card and the case; ``NO`` is the one answer of older reports."""

OUTCOMES = {
    Outcome.CONTACT_MADE: __("Afgerond na gesprek"),
    Outcome.REFERRED: __("Doorverwezen naar aanbod"),
    Outcome.DECLINED: __("Wil geen hulp"),
    Outcome.NOT_REACHED: __("Niet bereikt"),
    Outcome.ALREADY_KNOWN: __("Al bekend bij hulpverlening"),
    Outcome.DUPLICATE: __("Dubbele melding"),
    Outcome.SET_ASIDE: __("Apart gezet door een coördinator"),
    Outcome.FORWARDED: __("Doorgezet"),
}

FORWARDS = {
    Forward.NEIGHBOURHOOD_TEAM: __("Wijkteam"),
    Forward.GP: __("Huisarts"),
    Forward.SAFE_HOME: __("Veilig Thuis"),
    Forward.OTHER: __("Andere organisatie"),
}
FORWARD_PHONES = {Forward.SAFE_HOME: "0800-2000"}
"""Numbers shown with a forward; only those that ../shared/contacts.md gives."""

ATTEMPTS = {
    Attempt.NOT_HOME: __("Niet thuis"),
    Attempt.NO_ANSWER: __("Gebeld, geen gehoor"),
    Attempt.LETTER: __("Brief in de bus"),
}

FOLLOW_UP_ANSWERS = {
    FollowUpAnswer.BETTER: __("Beter"),
    FollowUpAnswer.SAME: __("Hetzelfde"),
    FollowUpAnswer.WORSE: __("Slechter"),
    FollowUpAnswer.UNKNOWN: __("Weet ik niet"),
    FollowUpAnswer.REOPEN: __("Opnieuw oppakken"),
}

HELP_ANSWERS = {
    HelpAnswer.YES: __("Ja"),
    HelpAnswer.A_LITTLE: __("Een beetje"),
    HelpAnswer.NO: __("Nee"),
    HelpAnswer.CALL_AGAIN: __("Bel mij nog eens"),
}

PAUSE_REASONS = {
    PauseReason.AWAY: __("Is een tijd weg"),
    PauseReason.CARE: __("Is ziek of opgenomen"),
    PauseReason.WAITING: __("Wacht op antwoord"),
    PauseReason.OTHER: __("Andere reden"),
}

INTENTS = {
    Intent.REPORT: __("Ik maak me zorgen om iemand"),
    Intent.FIND: __("Ik zoek iets voor mezelf of mijn naaste"),
    Intent.WORK: __("Ik werk bij een signaalpunt"),
}

REPORT_BUTTON = __("Ik maak me zorgen om iemand")
FIND_BUTTON = __("Wat is er voor mij?")
BACK = __("« Terug")
STOP = __("Stoppen")
NEXT = __("Verder »")
SKIP = __("Overslaan")
SEND = __("Versturen")
DANGER = __("Er is acuut gevaar")
BACK_TO_REPORT = __("« Terug naar mijn melding")
MORE_SIGNS = __("Meer: geheugen, geld, mantelzorg …")
FEWER_SIGNS = __("« Minder")
CLAIM = __("Ik pak dit op")
RELEASE = __("Teruggeven")
CONTACT = __("Contact gemaakt")
PAUSE = __("Pauzeren")
YES = __("Ja")
NO = __("Nee")

EXAMPLE_ADDRESS = "3044 AB 12"
"""An example of the form, not a real address of anyone we know of."""
