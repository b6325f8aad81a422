"""Finding offers: residents' questions against the shipped catalogue, and properties of any catalogue."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from omzien.core.i18n import load_i18n
from omzien.flows.matching import GoingOut, Query, Why, understand
from omzien.flows.matching.index import Index
from omzien.flows.offers import Area, Cost, Form, Group, Kind, Need, Offer, Setting, Text
from omzien.storage.catalogue import shipped
from omzien.views.offers import why


@pytest.fixture(scope="module")
def index() -> Index:
    return Index(shipped(demo=True))


def ids(matches) -> list[str]:  # type: ignore[no-untyped-def]
    return [m.offer.id for m in matches]


# Stories on the shipped catalogue


def test_a_recent_widow_finds_support_with_grief(index: Index) -> None:
    top = index.search(Query("ik ben sinds kort weduwe en zit veel alleen"))[0]
    assert Group.BEREAVED in top.offer.groups
    assert top.reasons[0].code is Why.WORDS and "weduwe" in top.reasons[0].value


def test_a_widow_in_demodorp_gets_local_grief_offers_first(index: Index) -> None:
    found = ids(index.search(Query("ik ben sinds kort weduwe", postcode_area=3044), limit=3))
    assert found[0].startswith("dd-")
    assert {"dd-bezoekdienst-na-het-verlies", "dd-rouwgroep-verder-na-verlies"} & set(found)


def test_a_misspelt_walking_group_is_found_near_3044(index: Index) -> None:
    top = index.search(Query("wandelgroeb", postcode_area=3044))[0]
    assert top.offer.id == "dd-wandelgroep-molenpad"
    assert [r.value for r in top.reasons if r.code is Why.WORDS] == ["wandelgroep"]
    assert any(r.code is Why.NEARBY and r.value == "3044" for r in top.reasons)
    i18n = load_i18n()
    with i18n.context(), i18n.use_locale("nl"):
        assert why(top) == "Past bij wat u schreef („wandelgroep”), dichtbij (3044)"
    with i18n.context(), i18n.use_locale("en"):
        assert why(top) == "Matches what you wrote („wandelgroep”), nearby (3044)"


def test_a_compound_is_found_through_its_parts(index: Index) -> None:
    assert ids(index.search(Query("mantelzorgondersteuning")))[0] == "mezzo-mantelzorglijn"
    assert ids(index.search(Query("museummaatje")))[0] == "museumkaartmatch"


def test_a_daughter_asks_for_her_father_of_84(index: Index) -> None:
    understood = understand("mijn vader van 84 komt de deur niet meer uit")
    assert understood.age == 84 and understood.for_someone_else
    assert Need.VISIT in understood.needs
    found = index.search(Query("mijn vader van 84 komt de deur niet meer uit", postcode_area=3047), limit=10)
    assert "dd-bezoekdienst-aan-de-deur" in ids(found[:3])
    assert all((m.offer.max_age or 200) >= 84 for m in found)


def test_a_carer_asks_for_herself_not_for_someone_else() -> None:
    understood = understand("Ik zorg al jaren voor mijn man met dementie")
    assert Group.CARERS in understood.groups and not understood.for_someone_else


def test_a_question_about_a_relative_is_for_someone_else() -> None:
    assert understand("ik zoek iets voor mijn moeder").for_someone_else
    assert not understand("ik zit veel alleen").for_someone_else
    for text in ("iets voor mijn 84-jarige schoonvader", "voor mijn ouders", "my 84-year-old grandmother is lonely",
                 "I am looking for something for my mum"):
        assert understand(text).for_someone_else, text


def test_grief_or_caring_is_for_oneself_in_either_language() -> None:
    for text in ("mijn man is overleden", "ik zorg voor mijn moeder", "ik verzorg mijn vrouw",
                 "my husband died last year", "my wife passed away", "I look after my mum", "I care for my father"):
        assert not understand(text).for_someone_else, text


def test_a_plus_age_is_a_group_not_the_age_of_the_resident() -> None:
    understood = understand("dansen voor 65+, ik ben 70")
    assert Group.OLDER in understood.groups and understood.age == 70


def test_only_free_offers_when_asked(index: Index) -> None:
    for text in ("praten", "eenzaam", "wandelen", "hulp", ""):
        for postcode in (None, 3044):
            query = Query(text, postcode_area=postcode, free_only=True)
            found = index.search(query, limit=100)
            assert found and all(m.offer.cost is Cost.FREE for m in found)
            assert all(m.reasons[-1].code is Why.FREE for m in found)


def test_asking_for_free_in_words_puts_free_offers_first(index: Index) -> None:
    assert understand("het mag niks kosten").free
    top = index.search(Query("ik wil met iemand praten, het mag niks kosten"))[0]
    assert top.offer.cost is Cost.FREE and any(r.code is Why.FREE for r in top.reasons)


def test_a_postcode_outside_demodorp_never_gets_demodorp_offers(index: Index) -> None:
    for text in ("wandelgroep", "praten", "mantelzorg", ""):
        found = index.search(Query(text, postcode_area=1012), limit=100)
        assert found and not [m for m in found if m.offer.id.startswith("dd-")]


def test_without_postcode_only_national_offers(index: Index) -> None:
    found = index.search(Query("wandelen samen eten praten"), limit=100)
    assert found and all(m.offer.area.national for m in found)


def test_methods_and_tools_for_professionals_are_never_shown(index: Index) -> None:
    everything = index.search(Query(postcode_area=3044), limit=1000)
    assert len(everything) == index.count(Query(postcode_area=3044))
    assert all(m.offer.record_type == "offer" and m.offer.audience == "inwoners" for m in everything)
    assert not index.search(Query("signaleringskaart handreiking gemeente beleid"))


def test_rather_at_home_and_by_phone(index: Index) -> None:
    home = index.search(Query("praten", postcode_area=3044, going_out=GoingOut.HOME), limit=100)
    assert home and all(m.offer.setting is not Setting.OUTSIDE for m in home)
    remote = index.search(Query("praten", postcode_area=3044, going_out=GoingOut.REMOTE), limit=100)
    assert remote and all({Form.PHONE, Form.ONLINE} & set(m.offer.forms) for m in remote)
    assert any(r.code is Why.REMOTE for r in remote[0].reasons)


def test_a_chip_alone_finds_offers_of_that_kind(index: Index) -> None:
    found = index.search(Query(needs=frozenset({Need.TALK}), postcode_area=3049), limit=100)
    assert found[0].offer.kinds[0] is Kind.TALK_NOW
    assert all({Kind.TALK_NOW, Kind.CONTACT} & set(m.offer.kinds) for m in found)
    assert (found[0].reasons[0].code, found[0].reasons[0].value) == (Why.NEED, Need.TALK)


def test_the_reasons_add_up_to_the_score(index: Index) -> None:
    for match in index.search(Query("koffie drinken in de buurt", postcode_area=3041), limit=5):
        assert match.score == pytest.approx(sum(r.weight for r in match.reasons), abs=0.01)
        assert [r.weight for r in match.reasons] == sorted((r.weight for r in match.reasons), reverse=True)


def test_more_results_continue_where_the_first_page_stopped(index: Index) -> None:
    query = Query("praten", postcode_area=3049)
    everything = ids(index.search(query, limit=100))
    assert index.count(query) == len(everything) > 3
    assert ids(index.search(query)) + ids(index.search(query, offset=3)) == everything[:6]


def test_an_english_question_is_matched_to_the_english_texts(index: Index) -> None:
    assert understand("I have autism and I'd like to meet people").language == "en"
    top = index.search(Query("I have autism and I'd like to meet people"))[0]
    assert top.offer.id == "autthere"
    assert top.reasons[0].code is Why.WORDS and "autism" in top.reasons[0].value


def test_nothing_fits_gives_no_results(index: Index) -> None:
    assert index.search(Query("xylofoonreparatie")) == []
    assert index.count(Query("xylofoonreparatie")) == 0


# Properties of any catalogue

WORDS = ("wandelen", "koffie", "praten", "buurt", "eenzaam", "rouw", "tuin", "koken", "bellen", "maatje")
POSTCODES = st.one_of(st.none(), st.integers(3040, 3049), st.integers(1000, 9999))


@st.composite
def offers(draw, number: int) -> Offer:  # type: ignore[no-untyped-def]
    area = draw(st.one_of(
        st.just(Area(national=True)),
        st.just(Area(municipality="Demodorp", ranges=((3040, 3049),))),
        st.integers(1000, 9990).flatmap(lambda a: st.integers(a, a + 60).map(lambda b: Area(ranges=((a, b),)))),
    ))
    min_age = draw(st.one_of(st.none(), st.integers(12, 80)))
    max_age = draw(st.one_of(st.none(), st.integers(min_age or 12, 110)))
    text = " ".join(draw(st.lists(st.sampled_from(WORDS), min_size=1, max_size=6)))
    return Offer(
        id=f"o{number}", name=Text(text.split()[0].capitalize()), kern=Text(text), description=Text(text),
        record_type=draw(st.sampled_from(["offer"] * 5 + ["method"])),
        audience=draw(st.sampled_from(["inwoners"] * 5 + ["professionals"])),
        kinds=tuple(draw(st.lists(st.sampled_from(list(Kind)), max_size=3, unique=True))),
        forms=tuple(draw(st.lists(st.sampled_from(list(Form)), max_size=2, unique=True))),
        setting=draw(st.one_of(st.none(), st.sampled_from(list(Setting)))),
        cost=draw(st.one_of(st.none(), st.sampled_from(list(Cost)))), min_age=min_age, max_age=max_age,
        groups=tuple(draw(st.lists(st.sampled_from(list(Group)), max_size=2, unique=True))), area=area,
        evidence=draw(st.sampled_from(["", "Movisie databank: goed beschreven"])),
        keywords=tuple(draw(st.lists(st.sampled_from(WORDS), max_size=3, unique=True))),
    )


catalogues = st.integers(1, 15).flatmap(lambda n: st.tuples(*(offers(i) for i in range(n))))
queries = st.builds(
    Query, text=st.lists(st.sampled_from((*WORDS, "wandelgroeb", "ik", "mijn")), max_size=4).map(" ".join),
    needs=st.frozensets(st.sampled_from(list(Need))), age=st.one_of(st.none(), st.integers(10, 100)),
    postcode_area=POSTCODES, going_out=st.one_of(st.none(), st.sampled_from(list(GoingOut))),
    free_only=st.booleans())


def passes(offer: Offer, query: Query) -> bool:
    """The hard filters, written out once more."""
    age = query.age if query.age is not None else understand(query.text).age
    ranges = offer.area.ranges
    return (
        offer.record_type == "offer" and offer.audience == "inwoners"
        and (offer.area.national or (query.postcode_area is not None
                                     and any(a <= query.postcode_area <= b for a, b in ranges)))
        and (age is None or (offer.min_age or 0) <= age <= (offer.max_age or 200))
        and (not query.free_only or offer.cost is Cost.FREE)
        and not (query.going_out is GoingOut.HOME and offer.setting is Setting.OUTSIDE)
        and not (query.going_out is GoingOut.REMOTE and not {Form.PHONE, Form.ONLINE} & set(offer.forms))
    )


@settings(max_examples=120, deadline=None)
@given(catalogues, queries)
def test_every_result_passes_the_hard_filters_and_results_are_sorted(catalogue, query) -> None:  # type: ignore
    found = Index(catalogue).search(query, limit=100)
    assert all(passes(m.offer, query) for m in found)
    assert [m.score for m in found] == sorted((m.score for m in found), reverse=True)
    assert len({m.offer.id for m in found}) == len(found)


@settings(max_examples=100, deadline=None)
@given(catalogues, queries, st.integers(1, 4))
def test_pages_do_not_overlap_and_together_give_everything(catalogue, query, limit) -> None:  # type: ignore
    index = Index(catalogue)
    total = index.count(query)
    pages = [ids(index.search(query, limit=limit, offset=start)) for start in range(0, total + limit, limit)]
    joined = [offer_id for page in pages for offer_id in page]
    assert len(joined) == len(set(joined)) == total
    assert joined == ids(index.search(query, limit=total))


@settings(max_examples=120, deadline=None)
@given(catalogues, queries, st.sampled_from(list(Need)))
def test_adding_a_chip_the_offer_fits_never_lowers_its_score(catalogue, query, need) -> None:  # type: ignore
    index = Index(catalogue)
    before = {m.offer.id: m.score for m in index.search(query, limit=100)}
    with_chip = Query(query.text, query.needs | {need}, query.age, query.postcode_area, query.going_out,
                      query.free_only)
    after = {m.offer.id: m for m in index.search(with_chip, limit=100)}
    for offer_id, score in before.items():
        if offer_id in after:
            assert after[offer_id].score >= score - 1e-9
            fitted = any(r.code is Why.NEED and r.value == need for r in after[offer_id].reasons)
            if fitted and need not in query.needs:
                assert after[offer_id].score > score
