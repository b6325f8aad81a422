"""Stories of the figures: a policy officer runs ``omzien stats``; a coordinator asks /cijfers; and the
small-number rule holds everywhere, also on a database built to tempt it (one signal in one area)."""

from __future__ import annotations

import asyncio
import json
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from aiogram.methods import SendPhoto
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from omzien.cli import main
from omzien.flows.routing import AreaRange
from omzien.storage import points
from omzien.storage.models import Account, Event, OfferSearch, Report, Signal
from tests.conftest import Omzien

NOW = datetime(2026, 11, 23, 9, 30, tzinfo=UTC)
ONE_TO_FOUR = re.compile(r"(?<![\d.,<])[1-4](?![\d.,%])")


async def a_point(session: AsyncSession, coordinators: list[int] = (), name: str = "Signaalpunt Noord") -> int:
    point = await points.add_point(session, name, [AreaRange(3040, 3049)], group_chat_id=-1001234)
    point.coordinators = list(coordinators)
    await session.flush()
    return point.id


def signal(number: int, point_id: int | None, area: int, at: datetime, *, outcome: str | None = None,
           claimed: bool = False) -> Signal:
    status = "closed" if outcome else "claimed" if claimed else "new" if point_id else "unrouted"
    return Signal(reference=f"S-T{number:05d}", point_id=point_id, status=status, postcode=f"{area}AB",
                  house=str(number), area=area, address_key=f"{area}AB{number}", created_at=at,
                  waiting_since=at, due_claim_at=at + timedelta(hours=8), due_contact_at=at + timedelta(days=3),
                  due_close_at=at + timedelta(days=10),
                  claimed_at=at + timedelta(hours=2) if claimed or outcome else None,
                  contacted_at=at + timedelta(days=1) if outcome else None,
                  closed_at=at + timedelta(days=2) if outcome else None, outcome=outcome)


async def fill(sessions: async_sessionmaker[AsyncSession], count: int = 60, lonely_area: bool = True) -> int:
    """``count`` signals over three months in 3044 and 3045 (most picked up and closed), one signal alone in
    3047, and residents' searches — of which a few found nothing local."""
    async with sessions.begin() as session:
        point_id = await a_point(session, coordinators=[777001])
        session.add(Account(id=501, first_name="Piet", role="deliverer"))
        await session.flush()
        for number in range(count):
            at = NOW - timedelta(days=2 + number % 80, hours=number % 5)
            s = signal(number, point_id, 3044 + number % 2, at, outcome="contact" if number % 3 else "referred",
                       claimed=True)
            s.reports = [Report(reporter_id=501, observations=["mailbox", "inside"], consent="yes", may_contact=True,
                                note="Woont alleen, tel 0612345678", created_at=at)]
            session.add(s)
            await session.flush()
            session.add_all([Event(signal_id=s.id, at=at, kind="reported"),
                             Event(signal_id=s.id, at=s.claimed_at, kind="claimed", actor_id=501)])
        if lonely_area:
            lonely = signal(99999, point_id, 3047, NOW - timedelta(days=3))
            lonely.reports = [Report(reporter_id=501, observations=["callback"], consent="yes", may_contact=True,
                                     created_at=lonely.created_at)]
            session.add(lonely)
        for number in range(30):
            session.add(OfferSearch(at=NOW - timedelta(days=number), needs=["praten", "ontmoeten"][: 1 + number % 2],
                                    area=3044 if number % 7 else 3048, age_group="75", results=3,
                                    local_results=0 if number % 7 == 0 or number < 9 else 2))
    return point_id


async def run_cli(capsys: pytest.CaptureFixture[str], engine_url: str, *args: str) -> tuple[int, str]:
    code = await asyncio.to_thread(main, ["stats", *args])
    return code, capsys.readouterr().out


@pytest.fixture
def url(engine, monkeypatch: pytest.MonkeyPatch) -> str:  # type: ignore[no-untyped-def]
    value = engine.url.render_as_string(hide_password=False)
    monkeypatch.setenv("OMZIEN_DATABASE_URL", value)
    return value


async def test_a_fresh_database_gets_one_clear_sentence(url: str, capsys: pytest.CaptureFixture[str],
                                                        tmp_path: Path) -> None:
    code, out = await run_cli(capsys, url, "--format", "json", "--chart", str(tmp_path / "c.png"))
    assert code == 0
    assert out.strip() == "Er zijn nog geen signalen of zoekvragen in deze periode. Er is dus nog niets te tellen."


async def test_a_policy_officer_gets_json_a_chart_csv_and_a_report(sessions, url: str, tmp_path: Path,
                                                                   capsys: pytest.CaptureFixture[str]) -> None:
    await fill(sessions)
    since = "2026-08-01"
    code, out = await run_cli(capsys, url, "--since", since, "--until", "2026-11-30", "--format", "json",
                        "--chart", str(tmp_path / "months.png"), "--report", str(tmp_path / "report.html"))
    assert code == 0
    figures = json.loads(out)
    total = figures["rows"][-1]
    assert total["key"] == "total" and total["signals"] == 61 and total["callbacks"] == "<5"
    assert (tmp_path / "months.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert figures["gaps"][0]["need"] in ("praten", "ontmoeten")
    code, csv_out = await run_cli(capsys, url, "--since", since, "--format", "csv", "--by", "area")
    assert code == 0 and csv_out.startswith("\ufeffarea;name;signals;routed")
    code, table = await run_cli(capsys, url, "--since", since, "--by", "area")
    assert "3047" in table and "<5" in table


async def test_the_small_number_rule_holds_in_every_output(sessions, url: str, tmp_path: Path,
                                                           capsys: pytest.CaptureFixture[str]) -> None:
    """One signal alone in 3047, one call-back request: tempting. Nothing shows a 1, 2, 3 or 4 as a count,
    and no address, note, phone, name or Telegram id appears anywhere."""
    await fill(sessions, count=12)
    for by in ("month", "week", "area", "role", "sign", "outcome", "urgent", "event", "offer", "kind", "partner"):
        code, out = await run_cli(capsys, url, "--since", "2026-08-01", "--format", "json", "--by", by)
        assert code == 0
        for value in _counts(json.loads(out)):
            assert not (isinstance(value, int) and 0 < value < 5), (by, value)
        for secret in ("0612345678", "Woont alleen", "Piet", "501", "3044AB", "777001"):
            assert secret not in out, (by, secret)
        code, out = await run_cli(capsys, url, "--since", "2026-08-01", "--format", "csv", "--by", by)
        for line in out.splitlines()[1:]:
            cells = line.lstrip("\ufeff").split(";")[2:]
            assert not any(cell in {"1", "2", "3", "4"} for cell in cells), (by, line)


def _counts(value: object) -> list[object]:
    if isinstance(value, dict):
        return [v for k, v in value.items() if k not in ("key", "month", "area", "since", "until", "point")
                for v in _counts(v)]
    if isinstance(value, list):
        return [v for item in value for v in _counts(item)]
    return [value]


async def test_a_coordinator_asks_cijfers_and_gets_a_summary_and_two_charts(app: Omzien) -> None:
    await fill(app.sessions, count=20)
    coordinator = app.person("Carla")
    coordinator.user = coordinator.user.model_copy(update={"id": 777001})
    await coordinator.says("/cijfers")
    texts = app.telegram.texts_to(777001)
    assert texts and "Cijfers van Signaalpunt Noord" in texts[-1]
    photos = app.telegram.sent(SendPhoto, 777001)
    assert len(photos) == 2
    assert "&lt;5" in texts[-1] and "<5" not in texts[-1], "the text is HTML: a bare <5 would be refused"
    figures = "\n".join(texts[-1].split("\n")[1:-1]).replace("&lt;", "<")  # not the title, nor the explanation
    assert "Binnengekomen: 21 signalen" in figures
    assert not ONE_TO_FOUR.search(figures.replace("<5", "")), texts[-1]


async def test_someone_who_is_no_coordinator_gets_no_figures(app: Omzien) -> None:
    await fill(app.sessions, count=6)
    stranger = app.person("Sjaak")
    await stranger.says("/cijfers")
    assert "coördinator" in stranger.sees().text
    assert not app.telegram.sent(SendPhoto, stranger.user.id)


async def test_on_the_first_working_day_coordinators_get_last_month_once(app: Omzien) -> None:
    from omzien.services.monthly_figures import send_monthly
    await fill(app.sessions, count=20)
    tuesday_first = datetime(2026, 12, 1, 8, 30, tzinfo=UTC)  # 09:30 in Amsterdam
    assert await send_monthly(app.sessions, app.i18n, tuesday_first - timedelta(hours=1)) == 0  # before opening
    assert await send_monthly(app.sessions, app.i18n, tuesday_first) == 1
    assert await send_monthly(app.sessions, app.i18n, tuesday_first + timedelta(hours=2)) == 0  # once
    await app.sender.drain()
    assert "november 2026" in app.telegram.texts_to(777001)[-1]
    assert len(app.telegram.sent(SendPhoto, 777001)) == 2
    assert await send_monthly(app.sessions, app.i18n, datetime(2026, 12, 2, 9, 0, tzinfo=UTC)) == 0


async def test_goals_are_shown_beside_the_figures(sessions, url: str, capsys: pytest.CaptureFixture[str]) -> None:
    await fill(sessions, count=30)
    assert await asyncio.to_thread(main, ["points", "set-goals", "1", "--claim-within", "90%",
                                          "--contact-within", "80%"]) == 0
    capsys.readouterr()
    code, out = await run_cli(capsys, url, "--point", "1", "--since", "2026-08-01", "--format", "json")
    assert code == 0
    figures = json.loads(out)
    assert figures["goals"] == {"claim": 0.9, "contact": 0.8, "close": None}


CHROMIUM = Path("/usr/bin/chromium")


@pytest.mark.skipif(not CHROMIUM.exists(), reason="Chromium is not installed (apt-get install chromium)")
async def test_the_html_report_opens_in_a_browser_with_its_charts(sessions, url: str, tmp_path: Path,
                                                                 capsys: pytest.CaptureFixture[str]) -> None:
    playwright_api = pytest.importorskip("playwright.async_api", reason="the playwright package is not installed")
    await fill(sessions)
    report = tmp_path / "cijfers.html"
    code, _out = await run_cli(capsys, url, "--since", "2026-08-01", "--until", "2026-11-30",
                               "--report", str(report))
    assert code == 0
    async with playwright_api.async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=str(CHROMIUM), args=["--no-sandbox"])
        page = await browser.new_page()
        await page.goto(report.as_uri())
        assert "Cijfers van alle signaalpunten" in await page.title()
        widths = await page.eval_on_selector_all("img", "images => images.map(i => i.naturalWidth)")
        assert len(widths) == 3 and all(w > 300 for w in widths)
        body = await page.inner_text("body")
        assert "<5" in body and "0612345678" not in body
        await page.pdf(path=str(tmp_path / "cijfers.pdf"))  # a policy officer prints it
        await browser.close()


async def test_no_chart_label_shows_one_to_four(sessions, monkeypatch: pytest.MonkeyPatch) -> None:
    """One signal in 3047 and a handful of searches in 3048: the labels, bars and legends of every chart say
    "<5" or "x", never 1 to 4 (the axis scale aside)."""
    import matplotlib.text

    from omzien.core.i18n import load_i18n
    from omzien.services.figures import gather
    from omzien.views import charts

    await fill(sessions, count=7)
    drawn: list[str] = []
    original = charts._png

    def keep_texts(figure):  # type: ignore[no-untyped-def]
        ticks = {id(label) for axes in figure.axes for axis in (axes.xaxis, axes.yaxis)
                 for tick in axis.get_major_ticks() + axis.get_minor_ticks() for label in (tick.label1, tick.label2)}
        drawn.extend(t.get_text() for t in figure.findobj(matplotlib.text.Text)
                     if id(t) not in ticks and t.get_visible())
        return original(figure)

    monkeypatch.setattr(charts, "_png", keep_texts)
    with load_i18n().context():
        async with sessions() as session:
            figures = await gather(session, None, datetime(2026, 8, 1, tzinfo=UTC), NOW, "month", NOW)
        for chart in (charts.months_chart, charts.deadlines_chart, charts.gaps_chart):
            chart(figures)
    assert "<5" in drawn
    assert not [t for t in drawn if t.strip() in {"1", "2", "3", "4"}], drawn


async def test_the_follow_up_shows_offers_kinds_forwards_answers_and_reopens(sessions, url: str,
                                                                               capsys: pytest.CaptureFixture[str]
                                                                               ) -> None:
    """After closing: 8 signals referred to a meeting offer, 2 to a buddy; 11 forwarded (6 to the neighbourhood
    team, 5 to the GP); 7 follow-up checks (6 "beter", 1 "slechter"), 5 residents said it helped, 5 reopens."""
    from omzien.storage.models import OfferRecord

    await fill(sessions, count=30)
    at = NOW - timedelta(days=3)
    async with sessions.begin() as session:
        session.add_all([OfferRecord(id="ontmoet-1", record_type="offer", origin="import",
                                     columns={"id": "ontmoet-1", "name_nl": "Koffie in de wijk", "kinds": "ontmoeten"}),
                         OfferRecord(id="maatje-1", record_type="offer", origin="import",
                                     columns={"id": "maatje-1", "name_nl": "Maatje", "kinds": "contact;bezigheden"})])
        for number in range(21):
            s = signal(70000 + number, 1, 3044, at, outcome="referred" if number < 10 else "forwarded")
            s.forwarded_to = None if number < 10 else "wijkteam" if number < 16 else "huisarts"
            session.add(s)
            await session.flush()
            if number < 10:
                session.add(Event(signal_id=s.id, at=at, kind="referred",
                                  detail="ontmoet-1" if number < 8 else "maatje-1"))
            if number < 7:
                session.add(Event(signal_id=s.id, at=at, kind="followed_up",
                                  detail="better" if number < 6 else "worse"))
            if 10 <= number < 15:
                session.add_all([Event(signal_id=s.id, at=at, kind="followed_up", detail="yes"),
                                 Event(signal_id=s.id, at=at, kind="reopened")])
    code, out = await run_cli(capsys, url, "--since", "2026-08-01", "--format", "json")
    assert code == 0
    follow = {name: {row["key"]: row for row in rows} for name, rows in json.loads(out)["follow_up"].items()}
    assert follow["offer"]["total"]["referrals"] == 10
    assert follow["offer"]["ontmoet-1"] == {"key": "ontmoet-1", "name": "Koffie in de wijk", "referrals": "x"}
    assert follow["offer"]["maatje-1"]["referrals"] == "<5", "2 would be recognisable"
    assert follow["kind"]["ontmoeten"]["referred"] == 8 and follow["kind"]["contact"]["referred"] == "<5"
    assert follow["forward"]["wijkteam"]["signals"] == 6 and follow["forward"]["huisarts"]["signals"] == 5
    assert follow["forward"]["total"]["signals"] == 11
    assert follow["check"]["worse"]["answers"] == "<5" and follow["check"]["better"]["answers"] == "x"
    assert follow["resident"]["yes"]["answers"] == 5 and follow["reopened"]["reopened"]["events"] == 5
    code, out = await run_cli(capsys, url, "--since", "2026-08-01", "--format", "csv", "--by", "offer")
    assert code == 0 and out.startswith("\ufeffoffer;name;referrals")
    assert "maatje-1;Maatje;<5" in out and "total;totaal;10" in out
    code, out = await run_cli(capsys, url, "--since", "2026-08-01", "--by", "kind")
    assert code == 0 and "ontmoeten" in out and "persoonlijk contact" in out


async def test_goals_on_counts_per_area_are_shown_against_the_signals(sessions, url: str,
                                                                      capsys: pytest.CaptureFixture[str]) -> None:
    """3044 has 15 signals, 3045 15, 3047 one: a goal of 40 a year for 3044 is reached in a third of a year
    (the goal for the period is 14), 3047's goal is not said to be reached or not (its count is "<5")."""
    await fill(sessions, count=30)
    code = await asyncio.to_thread(main, ["points", "set-goals", "1", "--signals-per-area", "3044=40,3047=3"])
    assert code == 0 and "3044: 40, 3047: 3" in capsys.readouterr().out
    assert await asyncio.to_thread(main, ["points", "set-goals", "1", "--signals-per-area", "9999=4"]) == 2
    assert await asyncio.to_thread(main, ["points", "set-goals", "1", "--signals-per-area", "drie"]) == 2
    capsys.readouterr()
    for by in ("month", "area", "role"):
        code, out = await run_cli(capsys, url, "--point", "1", "--since", "2026-08-01", "--until", "2026-11-30",
                                  "--format", "json", "--by", by)
        assert code == 0
        figures = json.loads(out)
        goals = {goal["area"]: goal for goal in figures["area_goals"]}
        assert goals["3047"]["signals"] == "<5" and goals["3047"]["reached"] is None, by
        if by == "area":  # the area table shows 3045 too: one of 15 and 15 is hidden so that 3047 stays "<5"
            rows = {row["key"]: row["signals"] for row in figures["rows"]}
            assert goals["3044"]["signals"] == rows["3044"] and "x" in (rows["3044"], rows["3045"])
            continue
        assert goals["3044"] == {"point": "Signaalpunt Noord", "area": "3044", "signals": 15, "goal_per_year": 40,
                                 "goal_for_period": 14, "reached": True}, by


async def test_partners_show_how_many_signallers_and_reports_came_through_them(sessions, url: str,
                                                                               capsys: pytest.CaptureFixture[str]
                                                                               ) -> None:
    """Six people started through the pharmacy's poster and reported once each; one came through the bakery."""
    from omzien.storage.models import Partner

    await fill(sessions, count=12)
    at = NOW - timedelta(days=4)
    async with sessions.begin() as session:
        session.add_all([Partner(id=1, point_id=1, name="Apotheek De Linde", code="LINDE1"),
                         Partner(id=2, point_id=1, name="Bakkerij Brood", code="BROOD1")])
        await session.flush()
        for number in range(7):
            session.add(Account(id=900 + number, first_name="Melder", partner_id=1 if number < 6 else 2,
                                created_at=at))
            s = signal(80000 + number, 1, 3044, at)
            s.reports = [Report(reporter_id=900 + number, observations=["mailbox"], consent="yes", may_contact=True,
                                created_at=at)]
            session.add(s)
    code, out = await run_cli(capsys, url, "--since", "2026-08-01", "--format", "json")
    assert code == 0
    partners = {row["name"]: row for row in json.loads(out)["partners"]}
    assert partners["Apotheek De Linde"] | {"key": ""} == {"key": "", "name": "Apotheek De Linde", "signallers": 6,
                                                            "reports": 6}
    assert partners["Bakkerij Brood"]["signallers"] == "<5" and partners["Bakkerij Brood"]["reports"] == "<5"
    code, out = await run_cli(capsys, url, "--since", "2026-08-01", "--format", "csv", "--by", "partner")
    assert code == 0 and out.startswith("\ufeffpartner;name;signallers;reports")
    assert "1;Apotheek De Linde;6;6" in out and "2;Bakkerij Brood;<5;<5" in out
    assert "Melder" not in out and "900" not in out
