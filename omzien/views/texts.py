"""Names of things as people read them. Every text goes through gettext; Dutch is the source."""

from __future__ import annotations

from aiogram.utils.i18n import lazy_gettext as __

from omzien.flows.signal import (
    Attempt,
    Consent,
    FollowUpAnswer,
    Forward,
    HelpAnswer,
    Observation,
    Outcome,
    PauseReason,
    Role,
)
from omzien.views.buttons import Intent

ROLES = {
    Role.DELIVERER: __("Postbode of pakketbezorger"),
    Role.HAIRDRESSER: __("Kapper"),
    Role.PHARMACY: __("Apotheek"),
    Role.HOME_CARE: __("Thuiszorg"),
    Role.NEIGHBOUR: __("Buur of bewoner"),
    Role.OTHER: __("Anders"),
}

OBSERVATIONS = {
    Observation.MAILBOX_FULL: __("Overvolle brievenbus"),
    Observation.CURTAINS_CLOSED: __("Gordijnen dag en nacht dicht"),
    Observation.NEGLECTED_HOME: __("Verwaarloosde tuin of woning"),
    Observation.SAYS_LONELY: __("Zegt zich alleen te voelen"),
    Observation.RECENTLY_BEREAVED: __("Partner kort geleden overleden"),
    Observation.STAYS_INSIDE: __("Komt niet meer buiten"),
    Observation.POOR_SELF_CARE: __("Verzorgt zichzelf slecht"),
    Observation.OTHER: __("Iets anders"),
    Observation.ASKS_FOR_CALL: __("Vraagt zelf om een belletje"),
}

CONSENT_ANSWERS = {
    Consent.YES: __("Ja"),
    Consent.NO: __("Nee"),
    Consent.UNKNOWN: __("Weet ik niet"),
}

CONSENT_STATUS = {
    Consent.YES: __("weet ervan en vindt contact goed"),
    Consent.NO: __("weet het niet of wil het niet"),
    Consent.UNKNOWN: __("onbekend"),
}

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
CLAIM = __("Ik pak dit op")
RELEASE = __("Teruggeven")
CONTACT = __("Contact gemaakt")
PAUSE = __("Pauzeren")
YES = __("Ja")
NO = __("Nee")

EXAMPLE_ADDRESS = "3044 AB 12"
"""An example of the form, not a real address of anyone we know of."""
