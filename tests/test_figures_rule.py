"""The small-number rule as properties: no count 1–4 is ever shown, and no hidden one comes back by subtraction."""

from __future__ import annotations

import itertools

from hypothesis import given, settings
from hypothesis import strategies as st

from omzien.flows.figures import Count, Group, Hiding, median, percentile, protect, remainder, share, shown


def test_one_to_four_show_as_less_than_five_and_zero_stays_zero() -> None:
    assert [str(shown(n)) for n in range(7)] == ["0", "<5", "<5", "<5", "<5", "5", "6"]
    assert shown(3).json() == "<5" and shown(0).json() == 0 and shown(12).json() == 12


def test_a_total_with_one_small_part_hides_one_more_part() -> None:
    counts = {"all": 30, "3044": 3, "3045": 12, "3046": 15}
    result = protect(counts, [Group("all", ("3044", "3045", "3046"))])
    assert str(result["3044"]) == "<5" and str(result["3045"]) == "x" and result["3046"].value == 15
    assert result["all"].value == 30


def test_a_count_whose_rest_is_small_is_hidden() -> None:
    """19 of 20 signals claimed tells that one was not: the 19 is hidden, and with only 20 the total too."""
    result = protect({"in": 20, "claimed": 19}, [remainder("in", "claimed")])
    assert result["claimed"].hiding is Hiding.GUARD
    assert set(result) == {"in", "claimed"}


def test_medians_need_five_values() -> None:
    assert median([1.0, 2.0, 3.0, 4.0]) is None
    assert median([5.0, 1.0, 3.0, 2.0, 4.0]) == 3.0
    assert percentile([float(n) for n in range(1, 11)], 0.9) == 9.0


def test_a_share_of_small_counts_is_not_shown() -> None:
    assert share(Count(3, Hiding.SHOWN), Count(20)) is None  # 17 left: fine, but 3 itself would be hidden
    assert share(Count(None, Hiding.SMALL), Count(20)) is None
    assert share(Count(18), Count(20)) is None  # 2 missed the deadline: that would tell
    assert share(Count(15), Count(20)) == 0.75


def possible_values(counts: dict[str, int], group: Group, result: dict[str, Count], part: str) -> set[int]:
    """Brute force: the values a hidden ``part`` can have for a reader who knows the rule and the shown numbers."""
    parts = [p for p in group.parts if p not in group.derived]
    known = result[group.total].value
    ranges = []
    for p in parts:
        c = result[p]
        if c.value is not None:
            ranges.append([c.value])
        elif c.hiding is Hiding.SMALL:
            ranges.append([1, 2, 3, 4])
        else:
            ranges.append(range(5, (known or 0) + 1))
    found = set()
    for combination in itertools.product(*ranges):
        if known is not None and sum(combination) != known:
            continue
        found.add(combination[parts.index(part)])
    return found


@settings(max_examples=300, deadline=None)
@given(st.lists(st.integers(min_value=0, max_value=14), min_size=1, max_size=5))
def test_no_output_ever_shows_one_to_four_and_no_hidden_part_can_be_worked_out(parts: list[int]) -> None:
    counts = {f"p{i}": n for i, n in enumerate(parts)}
    counts["total"] = sum(parts)
    group = Group("total", tuple(f"p{i}" for i in range(len(parts))))
    result = protect(counts, [group])
    for key, count in result.items():
        assert count.value is None or not 0 < count.value < 5, (key, count)
        assert (count.value is None) == (count.hiding is not Hiding.SHOWN)
        assert count.value is None or count.value == counts[key]
    for key in group.parts:
        if result[key].hiding is Hiding.SMALL and result["total"].value is not None:
            assert possible_values(counts, group, result, key) == {1, 2, 3, 4}, (counts, result)


@settings(max_examples=200, deadline=None)
@given(st.integers(min_value=0, max_value=40), st.data())
def test_a_part_and_its_rest_never_give_a_small_number_away(total: int, data: st.DataObject) -> None:
    part = data.draw(st.integers(min_value=0, max_value=total))
    result = protect({"in": total, "claimed": part}, [remainder("in", "claimed")])
    claimed, whole = result["claimed"], result["in"]
    if claimed.value is not None and whole.value is not None:
        rest = whole.value - claimed.value
        assert not 0 < rest < 5


@given(st.integers(min_value=1, max_value=10_000_000))
def test_the_percentile_rank_the_database_picks_is_the_nearest_rank(count: int) -> None:
    """``omzien sla report`` and the figures pick the median and the 90th percentile by rank in SQL (integer
    arithmetic); it is the nearest rank of ``percentile``: a value that really occurred."""
    import math
    from fractions import Fraction

    from omzien.storage.sla import _nearest_rank

    assert _nearest_rank(count, 5) == max(1, math.ceil(Fraction(1, 2) * count))
    assert _nearest_rank(count, 9) == max(1, math.ceil(Fraction(9, 10) * count))


def test_a_hidden_total_whose_parts_are_all_shown_hides_a_part() -> None:
    """Row "referred" hidden as x, but its months all shown would add up to it: one month is hidden too."""
    counts = {"all": 30, "a": 3, "b": 12, "c": 15, "c-aug": 7, "c-sep": 8}
    result = protect(counts, [Group("all", ("a", "b", "c")), Group("c", ("c-aug", "c-sep"))])
    hidden = {k for k, c in result.items() if not c.shown}
    assert "a" in hidden and len(hidden & {"b", "c"}) == 1
    if "c" in hidden:
        assert hidden & {"c-aug", "c-sep"}


def test_a_part_never_shown_counts_as_hidden_and_a_known_zero_as_known() -> None:
    """The areas without a goal are never shown: beside 15 of them, one area's 1 stays "<5" with 15 shown. When
    there are no other areas (0), 16 − 15 would give the 1 away: the 15 is hidden too."""
    group = Group("total", ("goal area", "small area", "other areas"))
    shown = protect({"total": 31, "goal area": 15, "small area": 1, "other areas": 15}, [group],
                    unshown=["other areas"])
    assert shown["goal area"].value == 15 and str(shown["small area"]) == "<5" and "other areas" not in shown
    shown = protect({"total": 16, "goal area": 15, "small area": 1, "other areas": 0}, [group],
                    unshown=["other areas"])
    assert shown["goal area"].value is None and str(shown["small area"]) == "<5"
