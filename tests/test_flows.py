"""Stories of the Omzien domain, without Telegram: addresses, signal points, the life of a signal, the report."""

from __future__ import annotations

import itertools
import json
import re
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from omzien.flows.address import Address, parse_address
from omzien.flows.report import STEPS, NoteTooLong, ReportDraft, Step, step_before
from omzien.flows.routing import (
    AreaRange,
    AreaSyntaxError,
    format_areas,
    join_ranges,
    overlaps,
    parse_areas,
    route,
)
from omzien.flows.signal import (
    NOTE_LIMIT,
    OPEN_STATUSES,
    REFERENCE_ALPHABET,
    TRANSITIONS,
    Action,
    Consent,
    Knows,
    Observation,
    OpenSignal,
    Status,
    TransitionNotAllowed,
    duplicate_of,
    new_reference,
    next_status,
)

TELEGRAM_MESSAGE_LIMIT = 4096
"""The longest text message Telegram delivers: the most a stranger can put in front of ``parse_address``."""


# --- Addresses: a postcode and house number, however they are typed on a phone -------------------------------------


@pytest.mark.parametrize(
    ("typed", "postcode", "number", "addition"),
    [
        ("3044 AB 12", "3044AB", 12, ""),
        ("3044ab12", "3044AB", 12, ""),
        ("3044 AB 12-2", "3044AB", 12, "2"),
        ("3044AB 12 bis", "3044AB", 12, "BIS"),
        ("3044-ab, nr 12", "3044AB", 12, ""),
        ("3044 AB 12a", "3044AB", 12, "A"),
        ("3044 ab 12A", "3044AB", 12, "A"),
        ("3044 Ab 12 Bis", "3044AB", 12, "BIS"),
        ("  3044 AB 12.  ", "3044AB", 12, ""),
        ("3044 AB huisnummer 12/2", "3044AB", 12, "2"),
        ("9999 ZZ 99999", "9999ZZ", 99999, ""),
        ("1000 AA 1", "1000AA", 1, ""),
    ],
)
def test_an_address_typed_in_a_common_form_is_understood(typed: str, postcode: str, number: int, addition: str):
    assert parse_address(typed) == Address(postcode, number, addition)


def test_a_postcode_typed_without_spaces_is_understood():
    assert parse_address("3044ab12") == Address("3044AB", 12)


def test_an_address_is_shown_the_way_the_post_writes_it():
    assert str(parse_address("3044ab12-2")) == "3044 AB 12-2"
    assert str(parse_address("3044ab12")) == "3044 AB 12"
    assert str(parse_address("3044AB 12 bis")) == "3044 AB 12-BIS"


def test_a_group_sees_only_the_four_digit_area_of_an_address():
    address = parse_address("3044 AB 12-2")
    assert address is not None
    assert address.area == 3044
    assert isinstance(address.area, int)


def test_the_same_address_typed_differently_gives_the_same_key():
    typed = ["3044 AB 12-2", "3044ab12-2", "3044-ab, nr 12/2", "3044 Ab 12 2", "3044AB12 - 2."]
    keys = {parse_address(text).key for text in typed}
    assert keys == {"3044AB 12-2"}


def test_different_houses_at_one_postcode_have_different_keys():
    keys = {parse_address(text).key for text in ["3044 AB 12", "3044 AB 12a", "3044 AB 12-2", "3044 AB 13"]}
    assert len(keys) == 4


def test_an_address_stored_as_postcode_and_house_comes_back_the_same():
    for typed in ["3044 AB 12", "3044 AB 12a", "3044 AB 12-2", "3044 AB 12 bis"]:
        address = parse_address(typed)
        assert Address.from_parts(address.postcode, address.house) == address


@pytest.mark.parametrize(
    "typed",
    [
        pytest.param("", id="empty"),
        pytest.param("   ", id="only spaces"),
        pytest.param("hallo", id="a greeting"),
        pytest.param("0123 AB 1", id="postcode starting with 0"),
        pytest.param("3044 SA 1", id="unused letters SA"),
        pytest.param("3044 SD 1", id="unused letters SD"),
        pytest.param("3044 SS 1", id="unused letters SS"),
        pytest.param("3044 ss 1", id="unused letters in lower case"),
        pytest.param("3044 AB", id="no house number"),
        pytest.param("3044 AB 0", id="house number 0"),
        pytest.param("3044 AB 012", id="house number with a leading 0"),
        pytest.param("12345 AB 1", id="five-digit postcode"),
        pytest.param("304 AB 1", id="three-digit postcode"),
        pytest.param("3044 A 1", id="one letter"),
        pytest.param("3044 ABC 1", id="three letters"),
        pytest.param("3044 AB 12 abcde", id="addition too long"),
        pytest.param("Dorpsstraat 12", id="a street instead of a postcode"),
        pytest.param("3044 AB 12, 2e verdieping links", id="a sentence after the address"),
    ],
)
def test_text_that_is_not_an_address_is_refused(typed: str):
    assert parse_address(typed) is None


@pytest.mark.parametrize(
    "long_text",
    [
        pytest.param("hallo " * 834, id="words"),
        pytest.param("a" * 5000, id="letters"),
        pytest.param("1" * 5000, id="digits"),
        pytest.param("3044 AB 12 " + "x" * 4989, id="an address followed by noise"),
        pytest.param("3044 AB 12" + "-" * 4990, id="an address followed by dashes"),
    ],
)
def test_a_very_long_message_is_no_address_and_is_answered_quickly(long_text: str):
    assert len(long_text) >= 5000
    started = time.perf_counter()
    assert parse_address(long_text) is None
    assert time.perf_counter() - started < 0.1


def test_a_message_padded_with_spaces_does_not_stall_the_bot():
    # Run in a child process that is killed after the time limit: the bug would otherwise hang the test run.
    spaces = " " * ((TELEGRAM_MESSAGE_LIMIT - 10) // 2)
    message = "3044 AB" + spaces + "1" + spaces + "!"
    assert len(message) <= TELEGRAM_MESSAGE_LIMIT
    program = "import sys; from omzien.flows.address import parse_address; assert parse_address(sys.argv[1]) is None"
    try:
        subprocess.run([sys.executable, "-c", program, message], check=True, timeout=3)
    except subprocess.TimeoutExpired:
        pytest.fail("parse_address took more than 3 seconds on one Telegram message")


@pytest.mark.parametrize("lookalike", ["3044 A\u212a 1", "3044 A\u0130 1"], ids=["Kelvin sign", "dotted capital I"])
def test_a_postcode_is_always_four_digits_and_two_latin_capitals(lookalike: str):
    address = parse_address(lookalike)
    assert address is None or re.fullmatch(r"[1-9][0-9]{3}[A-Z]{2}", address.postcode)


# Property: a valid address, typed any common way, is read back into exactly its parts.

_LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
_ALPHANUMERIC = _LETTERS + "0123456789"

postcode_letters = st.text(_LETTERS, min_size=2, max_size=2).filter(lambda pair: pair not in {"SA", "SD", "SS"})
letter_additions = st.one_of(
    st.just("BIS"),
    st.builds(lambda first, rest: first + rest, st.sampled_from(_LETTERS), st.text(_ALPHANUMERIC, max_size=3)),
)
digit_additions = st.builds(
    lambda first, rest: first + rest, st.sampled_from("0123456789"), st.text(_ALPHANUMERIC, max_size=3)
)


@st.composite
def typed_addresses(draw: st.DrawFn) -> tuple[str, Address]:
    """A valid address and one way a person might type it on a phone."""
    digits = draw(st.integers(1000, 9999))
    letters = draw(postcode_letters)
    number = draw(st.integers(1, 99999))
    kind = draw(st.sampled_from(["none", "letter", "digit"]))
    if kind == "letter":
        addition = draw(letter_additions)
        addition_separator = draw(st.sampled_from(["", " ", "-", "/", " - ", " / "]))
    elif kind == "digit":
        # Glued to the number, a digit addition would be ambiguous (``122`` or ``12-2``?): always separate it.
        addition = draw(digit_additions)
        addition_separator = draw(st.sampled_from(["-", "/", " - ", " /"]))
    else:
        addition, addition_separator = "", ""

    before_letters = draw(st.sampled_from(["", " ", "  ", "-", " - "]))
    before_number = draw(st.sampled_from(["", " ", ",", ", ", " , "]))
    prefix = draw(st.sampled_from(["", "nr ", "nr. ", "nr", "no ", "huisnummer "]))
    ending = draw(st.sampled_from(["", " ", ".", " . "]))
    text = (
        f"{digits}{before_letters}{letters}{before_number}{prefix}{number}"
        f"{addition_separator if addition else ''}{addition}{ending}"
    )
    upper = draw(st.lists(st.booleans(), min_size=len(text), max_size=len(text)))
    text = "".join(char.upper() if up else char.lower() for char, up in zip(text, upper, strict=True))
    return text, Address(f"{digits}{letters}", number, addition)


@given(typed_addresses())
def test_a_valid_address_is_understood_however_it_is_typed(case: tuple[str, Address]):
    text, expected = case
    address = parse_address(text)
    assert address == expected
    assert address.key == expected.key
    assert address.area == int(expected.postcode[:4])


@given(st.text())
def test_any_text_is_either_refused_or_read_into_an_address_that_reads_back_the_same(text: str):
    address = parse_address(text)
    if address is not None:
        assert parse_address(str(address)) == address


@given(typed_addresses())
def test_an_address_shown_to_a_worker_reads_back_as_the_same_address(case: tuple[str, Address]):
    _, address = case
    assert parse_address(str(address)) == address
    assert Address.from_parts(address.postcode, address.house) == address


# --- Routing: which signal point covers a postcode area ------------------------------------------------------------


def test_a_list_of_postcode_areas_is_read_into_ranges():
    assert parse_areas("3040-3059,3061") == [AreaRange(3040, 3059), AreaRange(3061, 3061)]


def test_areas_may_be_written_with_spaces_semicolons_and_in_any_order():
    assert parse_areas(" 3061 ; 3040 - 3059, ") == [AreaRange(3040, 3059), AreaRange(3061, 3061)]


def test_touching_ranges_are_joined():
    assert parse_areas("3040-3049,3050-3059,3060") == [AreaRange(3040, 3060)]


def test_overlapping_ranges_are_joined():
    assert parse_areas("3040-3055,3050-3059,3045") == [AreaRange(3040, 3059)]


def test_ranges_with_a_gap_stay_apart():
    assert parse_areas("3040-3049,3051") == [AreaRange(3040, 3049), AreaRange(3051, 3051)]


@pytest.mark.parametrize(
    ("text", "bad_part"),
    [
        ("30x0", "30x0"),
        ("3059-3040", "3059-3040"),
        ("", ""),
        (" , ; ", " , ; "),
        ("0999", "0999"),
        ("3040-3059,999", "999"),
        ("30400", "30400"),
        ("3040-", "3040-"),
        ("-3040", "-3040"),
        ("3040-3050-3060", "3040-3050-3060"),
    ],
)
def test_a_postcode_list_that_is_not_understood_is_refused_naming_the_bad_part(text: str, bad_part: str):
    with pytest.raises(AreaSyntaxError) as refused:
        parse_areas(text)
    assert str(refused.value) == bad_part


def test_a_superscript_digit_in_a_postcode_list_is_refused_as_bad_syntax():
    try:
        parse_areas("3\u00b240")
    except AreaSyntaxError:
        pass
    except ValueError as error:
        raise AssertionError(f"refused with {type(error).__name__}, not AreaSyntaxError") from error


@pytest.mark.parametrize("text", ["\uff10\uff19\uff19\uff19", "\u0660\u0669\u0669\u0669"], ids=["fullwidth", "arabic"])
def test_a_postcode_area_starting_with_a_non_ascii_zero_is_refused(text: str):
    with pytest.raises(AreaSyntaxError):
        parse_areas(text)


def test_a_postcode_list_is_written_the_way_it_is_read():
    assert format_areas([AreaRange(3040, 3059), AreaRange(3061, 3061)]) == "3040-3059,3061"
    assert parse_areas(format_areas(parse_areas("3061,3040-3059"))) == parse_areas("3040-3059,3061")


def test_an_overlap_with_another_point_names_that_point_and_the_common_areas():
    taken = [("Signaalpunt Noord", AreaRange(3040, 3059)), ("Signaalpunt Zuid", AreaRange(3070, 3079))]
    found = overlaps(parse_areas("3055-3065"), taken)
    assert found == [("Signaalpunt Noord", AreaRange(3055, 3059))]


def test_a_new_point_overlapping_two_points_hears_about_both():
    taken = [("Noord", AreaRange(3040, 3059)), ("Zuid", AreaRange(3070, 3079))]
    found = overlaps(parse_areas("3050-3075,3090"), taken)
    assert found == [("Noord", AreaRange(3050, 3059)), ("Zuid", AreaRange(3070, 3075))]


def test_areas_next_to_each_other_do_not_overlap():
    assert overlaps(parse_areas("3060-3069"), [("Noord", AreaRange(3040, 3059))]) == []


def test_a_signal_goes_to_the_point_that_covers_its_area():
    coverage = [(1, AreaRange(3040, 3059)), (1, AreaRange(3061, 3061)), (2, AreaRange(3070, 3079))]
    assert route(3040, coverage) == 1
    assert route(3059, coverage) == 1
    assert route(3061, coverage) == 1
    assert route(3075, coverage) == 2


def test_a_signal_whose_area_no_point_covers_is_unrouted():
    coverage = [(1, AreaRange(3040, 3059)), (2, AreaRange(3070, 3079))]
    assert route(3060, coverage) is None
    assert route(1000, coverage) is None
    assert route(3044, []) is None


area_ranges = st.builds(
    lambda first, width: AreaRange(first, min(first + width, 9999)),
    st.integers(1000, 9999),
    st.integers(0, 60),
)


@given(st.lists(area_ranges, min_size=1, max_size=12), st.lists(st.integers(1000, 9999), max_size=60))
def test_joining_ranges_covers_exactly_the_areas_of_the_input(ranges: list[AreaRange], areas: list[int]):
    joined = join_ranges(ranges)
    edges = [edge for r in ranges for edge in (r.first - 1, r.first, r.last, r.last + 1)]
    for area in areas + edges:
        assert any(area in r for r in joined) == any(area in r for r in ranges), area
    # Joined ranges are sorted and neither touch nor overlap.
    for before, after in itertools.pairwise(joined):
        assert before.last + 1 < after.first


@given(st.lists(area_ranges, min_size=1, max_size=12))
def test_a_written_postcode_list_reads_back_as_the_same_ranges(ranges: list[AreaRange]):
    joined = join_ranges(ranges)
    assert parse_areas(format_areas(joined)) == joined
    assert parse_areas(format_areas(ranges)) == joined


@given(st.lists(area_ranges, min_size=1, max_size=6), st.integers(1000, 9999))
def test_an_area_is_routed_exactly_when_a_range_contains_it(ranges: list[AreaRange], area: int):
    coverage = [(point_id, r) for point_id, r in enumerate(join_ranges(ranges), start=1)]
    point_id = route(area, coverage)
    if point_id is None:
        assert not any(area in r for _, r in coverage)
    else:
        assert area in dict(coverage)[point_id]


# --- The life of a signal ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("status", "action"), list(itertools.product(Status, Action)))
def test_a_signal_changes_state_only_as_the_table_allows(status: Status, action: Action):
    if (status, action) in TRANSITIONS:
        assert next_status(status, action) == TRANSITIONS[(status, action)]
    else:
        with pytest.raises(TransitionNotAllowed) as refused:
            next_status(status, action)
        assert (refused.value.status, refused.value.action) == (status, action)


def test_an_unrouted_signal_is_routed_claimed_and_closed():
    status = Status.UNROUTED
    for action, expected in [(Action.ROUTE, Status.NEW), (Action.CLAIM, Status.CLAIMED), (Action.CLOSE, Status.CLOSED)]:
        status = next_status(status, action)
        assert status == expected


def test_a_closed_signal_cannot_be_claimed_again():
    closed = next_status(next_status(Status.NEW, Action.CLAIM), Action.CLOSE)
    assert closed == Status.CLOSED
    with pytest.raises(TransitionNotAllowed):
        next_status(closed, Action.CLAIM)


def test_a_claimed_signal_can_be_given_back_and_claimed_again():
    claimed = next_status(Status.NEW, Action.CLAIM)
    given_back = next_status(claimed, Action.RELEASE)
    assert given_back == Status.NEW
    assert next_status(given_back, Action.CLAIM) == Status.CLAIMED


def test_a_signal_already_claimed_cannot_be_claimed_by_a_second_worker():
    with pytest.raises(TransitionNotAllowed):
        next_status(Status.CLAIMED, Action.CLAIM)


def test_a_status_read_back_from_storage_as_text_is_understood():
    assert next_status("new", Action.CLAIM) == Status.CLAIMED


def test_only_closed_signals_and_those_on_hold_are_not_open():
    assert set(Status) - OPEN_STATUSES == {Status.CLOSED, Status.ON_HOLD}, "a report never joins one on hold"


# --- Duplicates: a second report on the same address joins the open signal ------------------------------------------

NOW = datetime(2025, 3, 1, 12, 0, tzinfo=UTC)
WINDOW = timedelta(days=30)


def signal(signal_id: int, status: Status = Status.NEW, *, age: timedelta = timedelta(days=1)) -> OpenSignal:
    return OpenSignal(id=signal_id, status=status, created_at=NOW - age)


@pytest.mark.parametrize("status", sorted(OPEN_STATUSES))
def test_a_second_report_within_thirty_days_joins_the_open_signal(status: Status):
    assert duplicate_of([signal(7, status, age=timedelta(days=29, hours=23))], NOW, WINDOW) == 7


def test_a_report_made_moments_after_the_first_joins_it():
    assert duplicate_of([signal(7, age=timedelta(0))], NOW, WINDOW) == 7


@pytest.mark.parametrize("age", [timedelta(days=30), timedelta(days=30, seconds=1), timedelta(days=365)])
def test_a_report_thirty_days_or_more_after_the_first_is_a_new_signal(age: timedelta):
    assert duplicate_of([signal(7, age=age)], NOW, WINDOW) is None


def test_a_closed_signal_never_takes_a_new_report():
    assert duplicate_of([signal(7, Status.CLOSED, age=timedelta(hours=1))], NOW, WINDOW) is None


def test_with_several_open_signals_the_oldest_takes_the_report():
    candidates = [
        signal(3, age=timedelta(days=2)),
        signal(1, Status.CLOSED, age=timedelta(days=20)),
        signal(2, Status.CLAIMED, age=timedelta(days=10)),
        signal(4, age=timedelta(days=40)),
    ]
    assert duplicate_of(candidates, NOW, WINDOW) == 2


def test_two_open_signals_reported_at_the_same_moment_go_to_the_lower_id():
    candidates = [signal(9, age=timedelta(days=3)), signal(5, age=timedelta(days=3))]
    assert duplicate_of(candidates, NOW, WINDOW) == 5


def test_without_earlier_signals_there_is_nothing_to_join():
    assert duplicate_of([], NOW, WINDOW) is None


def test_candidates_may_come_from_a_generator():
    assert duplicate_of((signal(i, age=timedelta(days=i)) for i in (5, 3, 8)), NOW, WINDOW) == 8


open_signals = st.builds(
    OpenSignal,
    id=st.integers(1, 10_000),
    status=st.sampled_from(Status),
    created_at=st.integers(-5, 24 * 60).map(lambda hours: NOW - timedelta(hours=hours)),
)


@given(st.lists(open_signals, max_size=10), st.integers(1, 60).map(lambda days: timedelta(days=days)))
def test_a_report_joins_nothing_or_the_oldest_eligible_signal(candidates: list[OpenSignal], window: timedelta):
    eligible = [s for s in candidates if s.status in OPEN_STATUSES and NOW - s.created_at < window]
    found = duplicate_of(candidates, NOW, window)
    if not eligible:
        assert found is None
    else:
        assert found in {s.id for s in eligible}
        oldest = min(s.created_at for s in eligible)
        assert any(s.id == found and s.created_at == oldest for s in eligible)


# --- References a signaller can read out on the phone -----------------------------------------------------------------


def test_a_reference_is_s_dash_and_four_unambiguous_characters():
    pattern = re.compile(rf"S-[{REFERENCE_ALPHABET}]{{4}}")
    for _ in range(500):
        assert pattern.fullmatch(new_reference())


def test_a_reference_may_be_made_longer():
    reference = new_reference(6)
    assert len(reference) == 8
    assert set(reference[2:]) <= set(REFERENCE_ALPHABET)


@pytest.mark.parametrize("confusable", list("0O1IL2Z5S8BUV"))
def test_the_reference_alphabet_has_no_characters_that_are_easily_confused(confusable: str):
    assert confusable not in REFERENCE_ALPHABET


def test_the_reference_alphabet_uses_each_character_once_and_only_capitals_and_digits():
    assert len(set(REFERENCE_ALPHABET)) == len(REFERENCE_ALPHABET)
    assert re.fullmatch(r"[A-Z0-9]+", REFERENCE_ALPHABET)


def test_references_differ_from_one_signal_to_the_next():
    assert len({new_reference() for _ in range(200)}) > 150


# --- The report a signaller builds step by step --------------------------------------------------------------------


def finished_draft() -> ReportDraft:
    draft = ReportDraft()
    draft.set_address(parse_address("3044 AB 12-2"))
    draft.toggle(Observation.CURTAINS_CLOSED)
    draft.toggle(Observation.MAILBOX_FULL)
    draft.consent = Consent.UNKNOWN
    draft.set_note("Hij zei dat hij al weken niemand had gesproken.")
    draft.may_contact = False
    return draft


def test_tapping_an_observation_twice_takes_it_back():
    draft = ReportDraft()
    draft.toggle(Observation.SAYS_LONELY)
    assert draft.observations == [Observation.SAYS_LONELY]
    draft.toggle(Observation.SAYS_LONELY)
    assert draft.observations == []


def test_observations_are_kept_in_the_order_of_the_signal_card():
    draft = ReportDraft()
    for observation in [Observation.OTHER, Observation.STAYS_INSIDE, Observation.MAILBOX_FULL, Observation.SAYS_LONELY]:
        draft.toggle(observation)
    assert draft.observations == [
        Observation.MAILBOX_FULL,
        Observation.SAYS_LONELY,
        Observation.STAYS_INSIDE,
        Observation.OTHER,
    ]


@given(st.lists(st.sampled_from(Observation)))
def test_after_any_taps_the_observations_are_those_tapped_an_odd_number_of_times_in_card_order(
    taps: list[Observation],
):
    draft = ReportDraft()
    for observation in taps:
        draft.toggle(observation)
    assert draft.observations == [o for o in Observation if taps.count(o) % 2 == 1]


def test_a_note_of_the_limit_is_accepted():
    draft = ReportDraft()
    draft.set_note("x" * NOTE_LIMIT)
    assert draft.note == "x" * NOTE_LIMIT
    assert NOTE_LIMIT == 500


def test_a_note_over_the_limit_is_refused_and_the_old_note_kept():
    draft = ReportDraft()
    draft.set_note("Gordijnen al dagen dicht.")
    with pytest.raises(NoteTooLong) as refused:
        draft.set_note("x" * (NOTE_LIMIT + 1))
    assert refused.value.length == NOTE_LIMIT + 1
    assert str(NOTE_LIMIT) in str(refused.value)
    assert draft.note == "Gordijnen al dagen dicht."


def test_spaces_around_a_note_do_not_count_and_are_dropped():
    draft = ReportDraft()
    draft.set_note("   " + "x" * NOTE_LIMIT + "\n\n")
    assert draft.note == "x" * NOTE_LIMIT


@pytest.mark.parametrize("blank", ["", " ", "\n\t  "])
def test_a_note_of_only_whitespace_means_no_note(blank: str):
    draft = ReportDraft(note="een eerdere notitie")
    draft.set_note(blank)
    assert draft.note is None


def test_a_draft_survives_being_stored_and_read_back():
    draft = finished_draft()
    assert ReportDraft.from_dict(draft.to_dict()) == draft
    assert ReportDraft.from_dict(json.loads(json.dumps(draft.to_dict()))) == draft


def test_an_empty_draft_survives_being_stored_and_read_back():
    assert ReportDraft.from_dict(json.loads(json.dumps(ReportDraft().to_dict()))) == ReportDraft()
    assert ReportDraft.from_dict({}) == ReportDraft()


def test_a_draft_remembers_the_address_as_typed():
    draft = finished_draft()
    assert draft.address == Address("3044AB", 12, "2")
    assert (draft.postcode, draft.house) == ("3044AB", "12-2")


def test_a_finished_draft_is_complete_even_if_contact_is_refused():
    draft = finished_draft()
    assert draft.may_contact is False
    assert draft.complete


def test_a_draft_without_a_note_is_complete():
    draft = finished_draft()
    draft.set_note("")
    assert draft.complete


@pytest.mark.parametrize("missing", ["address", "observations", "consent", "may_contact"])
def test_a_draft_missing_a_required_answer_is_not_complete(missing: str):
    draft = finished_draft()
    if missing == "address":
        draft.postcode = draft.house = None
    elif missing == "observations":
        draft.observations = []
    else:
        setattr(draft, missing, None)
    assert not draft.complete


def test_a_new_draft_is_not_complete():
    assert not ReportDraft().complete


@pytest.mark.parametrize(
    ("step", "before"),
    [
        (Step.ADDRESS, None),
        (Step.OBSERVATIONS, Step.ADDRESS),
        (Step.CONSENT, Step.OBSERVATIONS),
        (Step.NOTE, Step.CONSENT),
        (Step.CONTACT, Step.NOTE),
        (Step.SUMMARY, Step.CONTACT),
    ],
)
def test_back_returns_to_the_step_before(step: Step, before: Step | None):
    assert step_before(step) == before


def test_going_back_from_the_summary_visits_every_step_asked_once():
    knows = ReportDraft(knows=Knows.YES)
    visited = [Step.SUMMARY]
    while (step := step_before(visited[-1], knows)) is not None:
        visited.append(step)
    assert visited == list(reversed(STEPS))
    assert step_before(Step.NOTE, ReportDraft(knows=Knows.NO)) is Step.CONSENT, "the second question was not asked"


def test_a_house_number_glued_to_more_digits_is_a_typing_error_not_an_addition():
    assert parse_address("3044 AB 123456") is None
    assert parse_address("3044 AB 12345-6") == Address("3044AB", 12345, "6")
