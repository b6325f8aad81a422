"""Button data. Telegram allows 64 bytes: buttons and links carry ids and short codes, never text."""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated

from pydantic import Field

from omzien.flows.find import FindStep
from omzien.flows.report import Step
from omzien.flows.signal import FollowUpAnswer, HelpAnswer, Outcome, PauseReason, Role
from omzien.flows.signallers import RoleGroup
from omzien.views.callback_data import CallbackData

SignalId = Annotated[int, Field(ge=1, le=2**31 - 1)]
"""A signal's id as a button carries it; a forged one out of range is a stale button, not an error."""

WORKER_LINK = "adres"
"""The deep-link payload of the link a worker gets in the group: ``t.me/<bot>?start=adres``."""


class Intent(StrEnum):
    """What brings someone to the bot, asked at the first /start."""

    REPORT = "r"  # worried about someone: a signaller
    FIND = "f"  # looking for something for oneself or a relative
    WORK = "w"  # works at a signal point


class IntentChoice(CallbackData, prefix="i1"):
    intent: Intent


class RoleChoice(CallbackData, prefix="role1"):
    role: Role


class RoleGroupChoice(CallbackData, prefix="rg1"):
    """The first of the two taps of "wie bent u?"; no group: the groups again."""

    group: RoleGroup | None = None


class TipButton(CallbackData, prefix="tip1"):
    """A card of /tips: ``index`` is the card to show; past the last, the tips end. ``fresh``: show it in a
    new message (the button sits on another message, such as the confirmation of a first report)."""

    index: Annotated[int, Field(ge=0, le=9)]
    fresh: bool = False


class LanguageChoice(CallbackData, prefix="lang1"):
    code: str


class DraftAction(StrEnum):
    TOGGLE = "t"
    NEXT = "n"
    CHOOSE = "c"
    SKIP = "s"
    SEND = "ok"
    BACK = "b"
    STOP = "x"
    DANGER = "d"
    RESUME = "r"  # back to the report after the danger screen, as it was
    MORE = "m"  # the other signs (value "1") or the common ones again (value "")


class DraftButton(CallbackData, prefix="d1"):
    """A button of the report being written; ``step`` makes a button of an earlier step stale."""

    step: Step
    action: DraftAction
    value: str = ""


class ClaimButton(CallbackData, prefix="c1"):
    signal_id: SignalId


class CaseButton(CallbackData, prefix="k1"):
    """The claimer's buttons: close with an outcome, or give back (no outcome)."""

    signal_id: SignalId
    outcome: Outcome | None = None


class FollowUpAction(StrEnum):
    CONTACT = "c"
    PAUSE = "p"
    SHOW = "s"  # the address and the outcome buttons again


class FollowUp(CallbackData, prefix="f1"):
    """The claimer's follow-up: contact made, a pause (first without, then with a reason), or the case again."""

    signal_id: SignalId
    action: FollowUpAction
    reason: PauseReason | None = None


class SafetyAction(StrEnum):
    TALK = "t"  # "Ik wil nu met iemand praten": the numbers again
    CALL = "c"  # be called back, urgently
    SEARCH = "s"  # go on looking for offers


class SafetyButton(CallbackData, prefix="h1"):
    """A button of the crisis answer."""

    action: SafetyAction


class AllowClaims(CallbackData, prefix="a1"):
    """A coordinator lets a worker whose claims were held claim again."""

    worker_id: Annotated[int, Field(ge=1, le=2**63 - 1)]


class ReportsHeld(CallbackData, prefix="r1"):
    """A coordinator decides on the signals on hold of a reporter who reported unusually much."""

    reporter_id: Annotated[int, Field(ge=1, le=2**63 - 1)]
    point_id: Annotated[int, Field(ge=1, le=2**31 - 1)]
    let_through: bool


class ForgetMe(CallbackData, prefix="v1"):
    sure: bool


class FindAction(StrEnum):
    TOGGLE = "t"
    OTHER = "o"  # for someone else
    FREE = "f"  # only free offers
    NEXT = "n"
    CHOOSE = "c"
    SKIP = "s"
    BACK = "b"
    STOP = "x"
    OPEN = "i"  # the details of one offer (value: its id)
    MORE = "m"
    LIST = "l"  # the results shown last, again
    CALL = "k"  # be called back
    AGAIN = "a"


class FindButton(CallbackData, prefix="w1"):
    """A button of "Wat is er voor mij?"; ``step`` makes a button of an earlier question stale."""

    step: FindStep
    action: FindAction
    value: str = ""


class Undo(CallbackData, prefix="u1"):
    """The claimer takes back a close or a give-back (for ``UNDO_MINUTES``)."""

    signal_id: SignalId


class CaseAction(StrEnum):
    REFER = "r"  # choose offers, then close as referred
    FORWARD = "f"  # close as forwarded outside (value: a Forward, or empty for the choice)
    NOTE = "n"  # type a note
    ATTEMPT = "a"  # log an attempt (value: an Attempt, or empty for the choice)
    ASK = "q"  # type one question for the reporter
    BACK = "b"  # the case message as it was


class CaseMore(CallbackData, prefix="m1"):
    """The claimer's further buttons on the case message."""

    signal_id: SignalId
    action: CaseAction
    value: str = ""


class ReferAction(StrEnum):
    NEED = "n"  # toggle a need (value: a Need)
    PICK = "p"  # toggle an offer shown (value: its place in the list shown)
    DONE = "d"  # close as referred to what was picked


class Refer(CallbackData, prefix="o1"):
    signal_id: SignalId
    action: ReferAction
    value: str = ""


class FollowUpCheck(CallbackData, prefix="q1"):
    """"Hoe gaat het nu?", weeks after a close."""

    signal_id: SignalId
    answer: FollowUpAnswer


class HelpCheck(CallbackData, prefix="y1"):
    """"Heeft het geholpen?", to a resident who asked to be called."""

    signal_id: SignalId
    answer: HelpAnswer


class AnswerReporter(CallbackData, prefix="b1"):
    """The reporter answers the claimer's question."""

    signal_id: SignalId


class SteerAction(StrEnum):
    MENU = "m"
    REASSIGN = "r"  # target: the worker's id (0: the choice)
    MOVE = "v"  # target: the point's id (0: the choice)
    REOPEN = "o"


class Steer(CallbackData, prefix="s1"):
    """A coordinator's buttons for one signal."""

    signal_id: SignalId
    action: SteerAction
    target: Annotated[int, Field(ge=0, le=2**63 - 1)] = 0



class MonthlyThanks(CallbackData, prefix="mth1"):
    """The signaller's answer to "Wilt u één keer per maand een kort bericht?" (/maandbericht)."""

    yes: bool
