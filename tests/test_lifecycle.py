"""The rules of a signal's life and of the resident's search, without Telegram or a database."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from omzien.flows.address import Address
from omzien.flows.find import AGE_BANDS, BACK_TO, FOLLOWING, QUESTIONS, FindDraft, FindStep
from omzien.flows.matching import GoingOut
from omzien.flows.offers import Need
from omzien.flows.signal import (
    EVENT_OF,
    OPEN_STATUSES,
    TRANSITIONS,
    Action,
    Observation,
    Status,
    TransitionNotAllowed,
    allowed,
    next_status,
)
from omzien.flows.sla import Phase, phase, standing

NOW = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)


def test_every_action_leaves_an_event_of_its_own_kind() -> None:
    assert set(EVENT_OF) == set(Action)
    assert len(set(EVENT_OF.values())) == len(Action)


def test_contact_and_pause_are_only_for_a_claimed_signal_and_keep_it_claimed() -> None:
    for action in (Action.CONTACT, Action.PAUSE):
        assert next_status(Status.CLAIMED, action) is Status.CLAIMED
        for status in (Status.UNROUTED, Status.NEW, Status.CLOSED):
            assert not allowed(status, action)
            with pytest.raises(TransitionNotAllowed):
                next_status(status, action)


def test_a_closed_signal_only_comes_back_by_undo_or_reopen_and_another_report_joins_only_an_open_one() -> None:
    assert {action for status, action in TRANSITIONS if status is Status.CLOSED} == {
        Action.UNDO, Action.REOPEN, Action.FOLLOW_UP}
    assert next_status(Status.CLOSED, Action.UNDO) is Status.CLAIMED, "the claimer's own close, taken back"
    assert next_status(Status.CLOSED, Action.REOPEN) is Status.NEW, "back in the group for anyone"
    assert Status.CLOSED not in OPEN_STATUSES
    assert {Status.UNROUTED, Status.NEW, Status.CLAIMED} == OPEN_STATUSES
    assert not allowed(Status.ON_HOLD, Action.CLAIM), "a signal on hold waits for a coordinator, not a worker"


moments = st.one_of(st.none(), st.integers(-500, 500).map(lambda h: NOW + timedelta(hours=h)))


@given(st.sampled_from(list(Status)), moments, moments, moments, st.booleans(), moments)
def test_late_means_past_a_deadline_that_still_applies(status: Status, claim, contact, close, contacted: bool,
                                                       paused) -> None:
    contacted_at = NOW - timedelta(days=1) if contacted else None
    now_standing = standing(status, due_claim=claim, due_contact=contact, due_close=close, contacted_at=contacted_at,
                            paused_until=paused, now=NOW)
    expected = ((status is Status.NEW and claim is not None and claim <= NOW)
                or (status is Status.CLAIMED and not contacted and contact is not None and contact <= NOW)
                or (status is Status.CLAIMED and close is not None and close <= NOW))
    assert now_standing.late == expected
    assert now_standing.phase is phase(status, contacted)
    if now_standing.passed:
        assert now_standing.late, "the deadline shown as passed always makes the signal late"
    if now_standing.paused_until is not None:
        assert status is Status.CLAIMED and now_standing.paused_until > NOW


def test_the_phase_says_which_deadline_matters() -> None:
    assert phase(Status.NEW, False) is Phase.CLAIM
    assert phase(Status.CLAIMED, False) is Phase.CONTACT
    assert phase(Status.CLAIMED, True) is Phase.CLOSE
    assert phase(Status.UNROUTED, False) is Phase.UNROUTED and phase(Status.CLOSED, True) is Phase.CLOSED


def test_the_questions_go_forward_one_by_one_and_back_the_same_way() -> None:
    step, walked = FindStep.NEEDS, [FindStep.NEEDS]
    while step in FOLLOWING:
        step = FOLLOWING[step]
        walked.append(step)
    assert tuple(walked) == QUESTIONS
    assert all(BACK_TO[FOLLOWING[s]] is s for s in FOLLOWING)


def test_a_find_draft_keeps_its_answers_and_searches_with_them() -> None:
    draft = FindDraft()
    draft.toggle(Need.MEET)
    draft.toggle(Need.TALK)
    draft.toggle(Need.TALK)
    assert draft.answer(FindStep.AGE, "75") is FindStep.GOING_OUT
    assert draft.answer(FindStep.GOING_OUT, "nonsense") is FindStep.POSTCODE and draft.going_out is None
    draft.answer(FindStep.GOING_OUT, GoingOut.HOME)
    draft.area = 3044
    query = draft.query()
    assert query.needs == {Need.MEET} and query.age == AGE_BANDS["75"].typical and query.postcode_area == 3044
    assert query.going_out is GoingOut.HOME
    assert FindDraft.from_dict(draft.to_dict()) == draft
    assert draft.answer(FindStep.AGE, None) is FindStep.GOING_OUT and draft.age_band is None


def test_a_typed_sentence_about_someone_else_marks_the_search_for_them() -> None:
    draft = FindDraft()
    draft.typed("  ik zoek iets voor mijn vader van 84  " + "x" * 600)
    assert draft.for_someone_else and draft.text.startswith("ik zoek") and len(draft.text) == 500
    assert draft.again() == FindDraft(for_someone_else=True), "searching again keeps for whom"


def test_a_call_back_becomes_a_report_the_person_asked_for() -> None:
    report = FindDraft(phone="06 12345678").call_back(Address("3044AB", "12"), "bel 06 12345678")
    assert report.complete and report.observations == [Observation.ASKS_FOR_CALL] and report.may_contact
    assert report.note == "bel 06 12345678"
