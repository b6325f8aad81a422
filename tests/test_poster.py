"""A coordinator adds a partner and prints its poster: the QR code on paper leads back to the partner's link.

The PDF is rendered as a printer would (``pdftoppm`` of Debian's poppler-utils) and the code is read back with
zxing-cpp. ``OMZIEN_SCREENSHOT_DIR=docs python -m pytest tests/test_poster.py`` renews the README's thumbnail.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest
import zxingcpp
from PIL import Image

from omzien.cli import main


@pytest.fixture
def database(tmp_path, monkeypatch) -> str:
    url = f"sqlite+aiosqlite:///{tmp_path}/omzien.sqlite3"
    monkeypatch.setenv("OMZIEN_DATABASE_URL", url)
    monkeypatch.delenv("OMZIEN_BOT_TOKEN", raising=False)
    monkeypatch.delenv("OMZIEN_BOT_USERNAME", raising=False)
    monkeypatch.chdir(tmp_path)
    return url


def decoded(image: Path) -> list[str]:
    return [result.text for result in zxingcpp.read_barcodes(Image.open(image))]


def test_a_partner_gets_its_own_link_and_the_list_shows_counts_only(database, capsys) -> None:
    assert main(["points", "add", "--name", "Signaalpunt Noord", "--postcodes", "3040-3059"]) == 0
    capsys.readouterr()
    assert main(["partners", "add", "--point", "1", "--name", "PostNL depot Rotterdam-Noord",
                 "--bot-username", "omzien_bot"]) == 0
    out = capsys.readouterr().out
    assert "Partner 1 aangemaakt: PostNL depot Rotterdam-Noord, voor Signaalpunt Noord." in out
    assert re.search(r"https://t\.me/omzien_bot\?start=p-[A-Z0-9]{6}\b", out)
    assert main(["partners", "list"]) == 0
    assert "via de link begonnen: 0" in capsys.readouterr().out
    assert main(["partners", "add", "--point", "7", "--name", "Apotheek", "--bot-username", "omzien_bot"]) == 2
    assert "Er is geen signaalpunt met nummer 7." in capsys.readouterr().err


def test_without_the_bots_name_the_poster_says_how_to_give_it(database, capsys) -> None:
    assert main(["points", "add", "--name", "Signaalpunt Noord", "--postcodes", "3040-3059"]) == 0
    assert main(["poster", "--point", "1", "--output", "poster.pdf"]) == 2
    assert "--bot-username" in capsys.readouterr().err


@pytest.mark.skipif(shutil.which("pdftoppm") is None,
                    reason="pdftoppm (Debian: poppler-utils) is not installed: the printed poster is not checked")
def test_the_printed_poster_leads_to_the_partners_link(database, tmp_path, capsys) -> None:
    assert main(["points", "add", "--name", "Signaalpunt Noord", "--postcodes", "3040-3059"]) == 0
    assert main(["partners", "add", "--point", "1", "--name", "PostNL depot Rotterdam-Noord",
                 "--bot-username", "omzien_bot"]) == 0
    link = re.search(r"https://t\.me/\S+", capsys.readouterr().out).group(0)
    assert main(["poster", "--point", "1", "--partner", "1", "--output", "poster.pdf",
                 "--bot-username", "omzien_bot"]) == 0
    assert link in capsys.readouterr().out
    subprocess.run(["pdftoppm", "-png", "-r", "100", "-singlefile", "poster.pdf", "page"], check=True)
    page = Image.open(tmp_path / "page.png")
    assert abs(page.width / page.height - 210 / 297) < 0.01, "A4"
    assert decoded(tmp_path / "page.png") == [link]
    assert decoded(tmp_path / "poster.png") == [link], "the image for social media leads there too"
    text = subprocess.run(["pdftotext", "poster.pdf", "-"], capture_output=True, text=True).stdout \
        if shutil.which("pdftotext") else ""
    if text:
        assert "Signaalpunt Noord" in text and "@omzien_bot" in text and "112" in text
    if directory := os.environ.get("OMZIEN_SCREENSHOT_DIR"):
        target = Path(__file__).resolve().parent.parent / directory
        subprocess.run(["pdftoppm", "-png", "-r", "40", "-singlefile", "poster.pdf", str(target / "poster")],
                       check=True)


@pytest.mark.skipif(shutil.which("pdftoppm") is None,
                    reason="pdftoppm (Debian: poppler-utils) is not installed: the printed poster is not checked")
def test_a_poster_of_the_point_itself_leads_to_the_bot(database, tmp_path) -> None:
    assert main(["points", "add", "--name", "Signaalpunt Noord", "--postcodes", "3040-3059"]) == 0
    assert main(["poster", "--point", "1", "--output", "noord.pdf", "--bot-username", "@omzien_bot"]) == 0
    subprocess.run(["pdftoppm", "-png", "-r", "100", "-singlefile", "noord.pdf", "page"], check=True)
    assert decoded(tmp_path / "page.png") == ["https://t.me/omzien_bot"]
