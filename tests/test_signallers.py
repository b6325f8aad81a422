"""Stories of the signallers: who they are, what they can tick, the two consent questions, acute danger without
losing the report, a street without postcode, tips, thanks, and partners with their own start link."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import select

from omzien import services
from omzien.flows.signal import Consent, Role
from omzien.storage.models import Account, Report, Signal
from tests.conftest import Omzien
from tests.test_signal_chain import linked_group, report


async def test_a_meal_deliverer_finds_their_role_in_two_taps_and_can_change_it_with_start(app: Omzien) -> None:
    piet = app.person("Piet")
    await piet.says("/start")
    await piet.taps("Ik maak me zorgen om iemand")
    groups = piet.sees().buttons
    assert groups == ["Bezorging", "Winkel of dienst", "Zorg en welzijn", "Wonen", "Buurt en familie", "Anders"]
    await piet.taps("Zorg en welzijn")
    assert "Huisarts of praktijk" in piet.sees().buttons and "Wijkverpleging" in piet.sees().buttons
    await piet.taps("Terug")
    await piet.taps("Bezorging")
    await piet.taps("Maaltijdbezorger")
    async with app.sessions() as session:
        assert (await session.get(Account, piet.user.id)).role == Role.MEALS
    await piet.says("/start")
    assert "U meldt als: Maaltijdbezorger." in piet.sees().text
    await piet.taps("Iets anders kiezen")
    await piet.taps("Wonen")
    await piet.taps("Huismeester")
    async with app.sessions() as session:
        assert (await session.get(Account, piet.user.id)).role == Role.CARETAKER


async def test_a_role_stored_by_the_first_version_still_reads_right(app: Omzien) -> None:
    piet = app.person("Piet")
    await piet.says("/start")
    async with app.sessions.begin() as session:
        (await session.get(Account, piet.user.id)).role = "deliverer"
    await piet.says("/start")
    assert "U meldt als: Postbode of pakketbezorger." in piet.sees().text
    async with app.sessions.begin() as session:
        (await session.get(Account, piet.user.id)).role = "retired_role"  # a value no version knows
    await piet.says("/mijngegevens")
    assert "Wie u bent: Anders" in piet.sees().text


async def test_more_signs_are_one_tap_away_and_abuse_brings_veilig_thuis(app: Omzien) -> None:
    anna = app.person("Anna")
    group = await linked_group(app, anna)
    karin = app.person("Karin")
    await karin.says("3044 AB 12")
    first = karin.sees().buttons
    assert "Overvolle brievenbus" in first and "Geldzorgen" not in first
    assert first[-1] == "🚨 Er is acuut gevaar", "acute danger is the bottom row, away from Verder"
    await karin.taps("Meer: geheugen")
    more = karin.sees().buttons
    for sign in ("Verward of vergeetachtig", "Hoort of ziet slechter", "Mantelzorger lijkt overbelast",
                 "Geldzorgen", "Woont hier pas", "Tekenen van mishandeling of verwaarlozing"):
        assert sign in more
    await karin.taps("Mantelzorger lijkt overbelast")
    await karin.taps("mishandeling")
    assert "✅ Mantelzorger lijkt overbelast" in karin.sees().buttons, "a tick keeps the page"
    await karin.taps("Minder")
    assert "Gekozen: Mantelzorger lijkt overbelast, Tekenen van mishandeling" in karin.sees().text
    await karin.taps("Verder")
    await karin.taps("Weet ik niet")
    await karin.taps("Overslaan")
    await karin.taps("Nee")
    assert "Veilig Thuis: 0800-2000" in karin.sees().text, "already in the summary"
    await karin.taps("Versturen")
    sent = karin.sees().text
    assert "Verstuurd" in sent and "Veilig Thuis: 0800-2000" in sent, "advice next to filing the signal"
    assert "Mantelzorger lijkt overbelast" in app.telegram.last(group.id).text


async def test_consent_is_two_questions_and_the_card_says_what_a_worker_can_act_on(app: Omzien) -> None:
    anna = app.person("Anna")
    group = await linked_group(app, anna)
    piet = app.person("Piet")
    await piet.says("3044 AB 12")
    await piet.taps("Overvolle brievenbus")
    await piet.taps("Verder")
    assert piet.sees().text == "Weet de bewoner dat u dit doorgeeft?"
    assert piet.sees().buttons[:3] == ["Ja", "Nee", "Weet ik niet"]
    await piet.taps("Ja")
    assert piet.sees().text == "Mag het signaalpunt contact met hem of haar opnemen?"
    await piet.taps("Nee")
    await piet.taps("Terug")
    await piet.taps("Terug")
    assert piet.sees().text == "Weet de bewoner dat u dit doorgeeft?", "back visits the questions asked"
    await piet.taps("Ja")
    await piet.taps("Nee")
    await piet.taps("Overslaan")
    await piet.taps("Ja")
    assert "Bewoner: weet ervan, maar wil geen contact" in piet.sees().text
    await piet.taps("Versturen")
    assert "Weet de bewoner ervan: weet ervan, maar wil geen contact" in app.telegram.last(group.id).text

    mia = app.person("Mia")
    await mia.says("3044 AB 14")
    await mia.taps("Overvolle brievenbus")
    await mia.taps("Verder")
    await mia.taps("Nee")
    assert "Wilt u nog iets vertellen" in mia.sees().text, "the second question only when the resident knows"
    await mia.taps("Overslaan")
    await mia.taps("Ja")
    await mia.taps("Versturen")
    async with app.sessions() as session:
        assert sorted((await session.scalars(select(Report.consent))).all()) == [Consent.DECLINED, Consent.UNAWARE]


async def test_an_old_consent_answer_still_shows_on_the_card(app: Omzien) -> None:
    anna = app.person("Anna")
    await anna.says("/start")
    group = await linked_group(app, anna)
    await report(app.person("Piet"))
    async with app.sessions.begin() as session:
        (await session.scalar(select(Report))).consent = "no"  # stored by the first version
    await anna.taps("Ik pak dit op", in_=group)  # the card is drawn again from what is stored
    card = next(m for m in app.telegram.shown(group.id) if "Signaal S-" in m.text)
    assert "Weet de bewoner ervan: weet het niet of wil het niet" in card.text
    assert "weet het niet of wil het niet" in anna.sees().text, "and the case of the worker shows it too"


async def test_a_mistap_on_acute_danger_costs_nothing(app: Omzien) -> None:
    piet = app.person("Piet")
    await piet.says("3044 AB 12")
    await piet.taps("Komt niet meer buiten")
    await piet.taps("acuut gevaar")
    assert "Bel nu 112" in piet.sees().text
    await piet.taps("Terug naar mijn melding")
    assert "✅ Komt niet meer buiten" in piet.sees().buttons and "3044 AB 12" in piet.sees().text
    await piet.taps("Verder")
    assert "Weet de bewoner" in piet.sees().text
    async with app.sessions() as session:
        assert await session.scalar(select(Signal)) is None


async def test_a_street_without_postcode_is_kept_and_the_postcode_asked_kindly(app: Omzien) -> None:
    piet = app.person("Piet")
    await piet.says("Dorpsstraat 12")
    said = piet.sees().text
    assert "pakje" in said and "brievenbus" in said and "huisnummer 12 van Dorpsstraat" in said
    await piet.says("3044 AB")
    assert "Wat viel u op bij 3044 AB 12?" in piet.sees().text, "the number typed first is kept"

    karin = app.person("Karin")
    await karin.says("/melden")
    await karin.says("Van der Waalsweg 7a")
    assert "postcode" in karin.sees().text
    await karin.says("3044AB 9")
    assert "Wat viel u op bij 3044 AB 9?" in karin.sees().text, "a whole address still wins"


async def test_tips_are_five_cards_with_a_button_to_go_on(app: Omzien) -> None:
    piet = app.person("Piet")
    await piet.says("/tips")
    titles = []
    for number in range(1, 6):
        card = piet.sees()
        assert f"Tip {number} van 5" in card.text
        titles.append(card.text.split("\n")[0])
        await piet.taps("Klaar" if number == 5 else "Volgende tip")
    assert "Stuur /tips" in piet.sees().text
    assert len(app.telegram.shown(piet.user.id)) == 1, "one message, edited in place"


async def test_a_signaller_is_thanked_after_the_first_fifth_and_25th_report_and_offered_tips_once(
        app: Omzien) -> None:
    anna = app.person("Anna")
    await linked_group(app, anna)
    piet = app.person("Piet")
    thanked = []
    for number in range(1, 26):
        await report(piet, f"3044 AB {number}")
        text = piet.sees().text
        thanked += [number] if "💛" in text else []
        assert ("Tips lezen" in piet.sees().buttons) == (number == 1)
        if number == 1:
            await piet.taps("Tips lezen")
            assert "Tip 1 van 5" in piet.sees().text
        app.clock.advance(hours=1)  # stay under the limit of reports an hour
    assert thanked == [1, 5, 25]
    for text in app.telegram.texts_to(piet.user.id):
        assert "25" not in text.split("💛")[-1] if "💛" in text else True


async def test_people_who_start_through_a_partners_link_are_counted_never_named(app: Omzien) -> None:
    anna = app.person("Anna")
    await linked_group(app, anna)
    async with app.sessions.begin() as session:
        depot = await services.signallers.add_partner(session, 1, "PostNL depot Rotterdam-Noord", app.clock())
        code = depot.code
    for name in ("Piet", "Karin", "Mia"):
        await app.person(name).says(f"/start p-{code}")
    await app.person("Jan").says("/start p-NOTACODE")
    async with app.sessions() as session:
        [figure] = await services.signallers.partner_figures(session)
    assert figure.started == "<5"
    for name in ("Bram", "Els"):
        await app.person(name).says(f"/start p-{code.lower()}")
    async with app.sessions() as session:
        [figure] = await services.signallers.partner_figures(session)
    assert figure.started == "5" and figure.name == "PostNL depot Rotterdam-Noord"


async def test_a_signaller_who_agreed_hears_once_a_month_how_many_signals_were_picked_up_nearby(
        app: Omzien) -> None:
    """Piet reported in 3044 and 3045 and said yes to /maandbericht; Klaas reported in 3044 and did not. In
    November 8 signals were picked up in 3044 and 2 in 3045 (too few: they count for nothing). On 1 December
    Piet hears "8", once; in December only 3 are picked up, so on 1 January he hears nothing at all."""
    from omzien.services.monthly_figures import thank_signallers

    anna = app.person("Anna")
    await linked_group(app, anna)
    piet, klaas = app.person("Piet"), app.person("Klaas")
    await report(piet, "3044 AB 12")
    assert "/maandbericht" in piet.sees().text
    await report(piet, "3045 CD 3")
    await report(klaas, "3044 AB 14")
    await piet.says("/maandbericht")
    assert "Nooit wie of waar" in piet.sees().text
    await piet.taps("Ja, graag")
    assert "begin van de maand" in piet.sees().text

    async def picked_up(area: int, count: int, at: datetime) -> None:
        async with app.sessions.begin() as session:
            point_id = await session.scalar(select(Signal.point_id).limit(1))
            session.add_all([Signal(reference=f"S-M{area}{at.month:02d}{n}", point_id=point_id, status="claimed",
                                    postcode=f"{area}ZZ", house=str(n), area=area, address_key=f"{area}-{at}-{n}",
                                    created_at=at, claimed_at=at, claimed_by=None) for n in range(count)])

    async with app.sessions.begin() as session:  # the three reported signals (a reference is random: not by it)
        for signal in (await session.scalars(select(Signal))).all():
            signal.status, signal.claimed_at = "claimed", datetime(2026, 11, 24, 10, tzinfo=UTC)
    await picked_up(3044, 6, datetime(2026, 11, 25, 10, tzinfo=UTC))  # with Piet's and Klaas's reports: 8
    await picked_up(3045, 1, datetime(2026, 11, 26, 10, tzinfo=UTC))  # with his second: 2
    before = len(app.telegram.texts_to(piet.user.id))

    await app.later(days=7, hours=23)  # Tuesday 1 December, 09:30 in Amsterdam: before ten
    assert await thank_signallers(app.sessions, app.i18n, app.clock()) == 0
    await app.later(hours=1)
    assert await thank_signallers(app.sessions, app.i18n, app.clock()) == 1
    assert await thank_signallers(app.sessions, app.i18n, app.clock()) == 0, "once a month"
    await app.later(hours=1)
    sent = app.telegram.texts_to(piet.user.id)[before:]
    assert sent == ["In uw buurt zijn in november 8 signalen opgepakt. Dank u wel.\n\n"
                    "Wilt u dit bericht niet meer? Stuur /maandbericht."]
    assert not any("opgepakt. Dank u wel" in text for text in app.telegram.texts_to(klaas.user.id))

    await picked_up(3044, 3, datetime(2026, 12, 10, 10, tzinfo=UTC))
    await app.later(days=31)  # 1 January: 3 picked up in December, fewer than 5
    assert await thank_signallers(app.sessions, app.i18n, app.clock()) == 0
    await app.later(hours=1)
    assert app.telegram.texts_to(piet.user.id)[before:] == sent, "below 5: no message at all"
    async with app.sessions() as session:
        account = await session.get(Account, piet.user.id)
        assert account.monthly_thanks and account.monthly_thanks_at.date() == datetime(2027, 1, 1).date()
