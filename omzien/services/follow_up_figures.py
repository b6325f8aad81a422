"""The follow-up figures (after closing): referred to which offers and kinds of support, forwarded outside,
the answers of the follow-up check and of the residents ("Heeft het geholpen?"), and the reopens — of the
signals reported in the period, counted by the database and hidden by the same ``protect`` call as the rest.

Keys in the raw counts: ``("fo", offer)`` referrals per offer with their total ``("T", "referrals")``;
``("fk", kind)`` signals referred to a kind of support (a signal can have several kinds: no total);
``("ff", where)`` forwards with their total (the month parts' "forwarded" add up to it too); ``("fa", answer)``
and ``("fr", answer)`` the answers with totals ``("FA", "check")`` and ``("FA", "resident")``; ``("fx",
"reopened")``.
"""

from __future__ import annotations

from collections.abc import Hashable
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from omzien.flows.figures import Count, Group, Table
from omzien.flows.offers import Kind
from omzien.flows.signal import EventKind, FollowUpAnswer, Forward, HelpAnswer
from omzien.storage import figures as counted
from omzien.storage.figures import Scope

REFERRALS = ("T", "referrals")
CHECK, RESIDENT = ("FA", "check"), ("FA", "resident")
REOPENED = ("fx", "reopened")


@dataclass
class FollowUpCounts:
    offers: dict[str, int]
    kinds: dict[str, int]
    forwarded: dict[str, int]
    check: dict[str, int]
    resident: dict[str, int]
    reopened: int
    names: dict[str, str]


async def count(session: AsyncSession, scope: Scope) -> FollowUpCounts:
    events = await counted.follow_up_events(session, scope)
    offers = {detail: n for (kind, detail), n in events.items() if kind == EventKind.REFERRED}
    answers = {detail: n for (kind, detail), n in events.items() if kind == EventKind.FOLLOWED_UP}
    return FollowUpCounts(
        offers=offers, kinds=await counted.referred_by_kind(session, scope),
        forwarded=await counted.forwarded(session, scope),
        check={str(a): answers.get(str(a), 0) for a in FollowUpAnswer},
        resident={str(a): answers.get(str(a), 0) for a in HelpAnswer},
        reopened=sum(n for (kind, _detail), n in events.items() if kind == EventKind.REOPENED),
        names=await counted.offer_names(session, sorted(offers)))


def add(counts: FollowUpCounts, raw: dict[Hashable, int], groups: list[Group], forwarded_total: Hashable,
        month_labels: list[str]) -> None:
    """The raw counts and the sums that tie them together; ``forwarded_total`` is the key of the forwarded
    signals (the outcome table's row, when it is shown, so that one number is hidden alike in both places)."""
    for offer, n in counts.offers.items():
        raw[("fo", offer)] = n
    raw[REFERRALS] = sum(counts.offers.values())
    groups.append(Group(REFERRALS, tuple(("fo", offer) for offer in counts.offers)))
    for kind in Kind:
        raw[("fk", str(kind))] = counts.kinds.get(str(kind), 0)
    for where in Forward:
        raw[("ff", str(where))] = counts.forwarded.get(str(where), 0)
    raw[forwarded_total] = sum(counts.forwarded.values())
    groups.append(Group(forwarded_total, tuple(("ff", str(where)) for where in Forward)))
    groups.append(Group(forwarded_total, tuple(("m", label, "forwarded") for label in month_labels)))
    for total, prefix, answers in ((CHECK, "fa", counts.check), (RESIDENT, "fr", counts.resident)):
        for answer, n in answers.items():
            raw[(prefix, answer)] = n
        raw[total] = sum(answers.values())
        groups.append(Group(total, tuple((prefix, answer) for answer in answers)))
    raw[REOPENED] = counts.reopened


def tables(counts: FollowUpCounts, shown: dict[Hashable, Count], forwarded_total: Hashable) -> dict[str, Table]:
    """The follow-up as tables, each with its total row where the rows add up to it."""
    return {
        "offer": Table("offer", ("referrals",), [
            *((offer, {"referrals": shown[("fo", offer)]}) for offer in sorted(counts.offers)),
            ("total", {"referrals": shown[REFERRALS]})], names=dict(counts.names)),
        "kind": Table("kind", ("referred",), [(str(k), {"referred": shown[("fk", str(k))]}) for k in Kind]),
        "forward": Table("forward", ("signals",), [
            *((str(w), {"signals": shown[("ff", str(w))]}) for w in Forward),
            ("total", {"signals": shown[forwarded_total]})]),
        "check": Table("check", ("answers",), [
            *((str(a), {"answers": shown[("fa", str(a))]}) for a in FollowUpAnswer),
            ("total", {"answers": shown[CHECK]})]),
        "resident": Table("resident", ("answers",), [
            *((str(a), {"answers": shown[("fr", str(a))]}) for a in HelpAnswer),
            ("total", {"answers": shown[RESIDENT]})]),
        "reopened": Table("reopened", ("events",), [("reopened", {"events": shown[REOPENED]})]),
    }
