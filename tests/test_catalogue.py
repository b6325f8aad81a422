"""The catalogue of offers: what ships with Omzien, and a municipality's import and export."""

from __future__ import annotations

import asyncio
import json
import re
from pathlib import Path

import pytest

from omzien.cli import main
from omzien.flows.offers import Kind
from omzien.storage import catalogue

SEEDS = Path(__file__).parents[2] / "shared" / "seeds"
TABLE = ["50 Plusplein", "50Plusmatch", "50plusser.nl", "Autthere", "De Luisterlijn", "De mensen om mij heen",
         "De Zilverlijn", "Eenzaam.nl", "Gewoon vriendschap", "Klup", "Korrelatie", "Max 50plusnet",
         "Mezzo Mantelzorglijn", "MuseumkaartMatch", "NLvoorelkaar", "NPV Advieslijn", "OOPOEH",
         "Praten over verlies", "Samen Schatkaart", "Seniorplaza.nl", "Vijftigplusdating", "Vriendstap.nl",
         "Wehelpen", "Werkboek"]


def test_every_national_offer_of_the_longread_ships_and_no_contact_detail_is_invented() -> None:
    offers = catalogue.shipped()
    names = {offer.name.nl for offer in offers}
    assert [name for name in TABLE if not any(name.lower() in n.lower() for n in names)] == []
    assert sum(offer.record_type == "method" for offer in offers) >= 50, "the activities of 50 manieren"
    if not SEEDS.is_dir():
        pytest.skip("the source documents are not next to this checkout")
    contacts = SEEDS.parent / "contacts.md"  # the national numbers confirmed for Omzien
    sources = " ".join(path.read_text(encoding="utf-8") for path in [*SEEDS.glob("*.txt"), contacts]).lower()
    for offer in offers:
        for detail in (offer.phone, offer.email):
            assert not detail or detail.lower() in sources, f"{offer.id}: {detail} is in no source"
        if offer.url:
            domain = re.sub(r"^https?://(www\.)?", "", offer.url).rstrip("/").lower()
            assert domain in sources, f"{offer.id}: {offer.url} is in no source"


def test_the_demo_municipality_is_fictional_and_covers_every_kind_of_support() -> None:
    demo = [o for o in catalogue.shipped(demo=True) if o.id.startswith("dd-")]
    assert len(demo) >= 40
    assert all(not (o.phone or o.email or o.url) for o in demo), "fictional offers have no real contact details"
    assert {kind for offer in demo for kind in offer.kinds} == set(Kind)
    assert all(not o.area.national and all(3040 <= a <= b <= 3049 for a, b in o.area.ranges) for o in demo)


def test_csv_and_hsds_give_back_exactly_what_they_got() -> None:
    offers = catalogue.shipped(demo=True)
    assert catalogue.read_csv(catalogue.write_csv(offers).splitlines(keepends=True)) == (offers, [])
    assert catalogue.read_hsds(json.loads(json.dumps(catalogue.to_hsds(offers)))) == (offers, [])


BAD = """id,name_nl,kern_nl,kinds,cost,min_age,max_age,area,method,verified
koffie-de-linde,Koffie in De Linde,Elke ochtend koffie en een praatje.,ontmoeten,gratis,,,3044,,2026-11-01
Fout Id,Iets,Iets,ontmoeten,gratis,,,3044,,
zonder-kern,Zonder kern,,ontmoeten,gratis,,,3044,,
raar,Raar,Raar aanbod.,dansen,soms,90,60,30xx,methode-bestaat-niet,gisteren
koffie-de-linde,Dubbel,Dubbel.,ontmoeten,gratis,,,3044,,
"""


async def test_a_file_with_errors_names_each_one_and_imports_nothing_unless_asked(
        engine, tmp_path: Path, capsys, monkeypatch) -> None:
    monkeypatch.setenv("OMZIEN_DATABASE_URL", engine.url.render_as_string(hide_password=False))
    bad = tmp_path / "aanbod.csv"
    bad.write_text(BAD, encoding="utf-8")

    assert await asyncio.to_thread(main, ["offers", "import", str(bad)]) == 2
    err = capsys.readouterr().err
    assert "Regel 3: id: 'Fout Id' must be lowercase" in err
    assert "Regel 4: kern_nl: missing" in err
    for reason in ("kinds: 'dansen'", "cost: 'soms'", "min_age is above max_age", "area: '30xx'",
                   "method: 'methode-bestaat-niet'", "verified: 'gisteren'"):
        assert f"Regel 5: {reason}" in err, reason
    assert "Regel 6: id: 'koffie-de-linde' is already used by line 2" in err
    assert "niets ingelezen" in err

    assert await asyncio.to_thread(main, ["offers", "export"]) == 0
    exported = capsys.readouterr().out
    assert "koffie-de-linde" not in exported and "de-luisterlijn" in exported

    assert await asyncio.to_thread(main, ["offers", "import", str(bad), "--skip-invalid"]) == 0
    assert "Ingelezen: 1 nieuw, 0 bijgewerkt, 0 ongewijzigd, 4 overgeslagen." in capsys.readouterr().out
    good = tmp_path / "goed.csv"
    good.write_text("\n".join(BAD.splitlines()[:2]) + "\n", encoding="utf-8")
    assert await asyncio.to_thread(main, ["offers", "import", str(good)]) == 0
    assert "Ingelezen: 0 nieuw, 0 bijgewerkt, 1 ongewijzigd, 0 overgeslagen." in capsys.readouterr().out


async def test_an_export_imported_again_changes_nothing(engine, tmp_path: Path, capsys, monkeypatch) -> None:
    monkeypatch.setenv("OMZIEN_DATABASE_URL", engine.url.render_as_string(hide_password=False))
    for form, name in (("csv", "alles.csv"), ("hsds", "alles.json")):
        path = tmp_path / name
        assert await asyncio.to_thread(main, ["offers", "export", "--format", form, "--output", str(path)]) == 0
        capsys.readouterr()
        assert await asyncio.to_thread(main, ["offers", "import", str(path)]) == 0
        out = capsys.readouterr().out
        assert re.search(r"Ingelezen: 0 nieuw, 0 bijgewerkt, \d+ ongewijzigd, 0 overgeslagen\.", out), out
    broken = tmp_path / "kapot.json"
    broken.write_text("[{", encoding="utf-8")
    assert await asyncio.to_thread(main, ["offers", "import", str(broken)]) == 2
    assert "geen geldige JSON" in capsys.readouterr().err
