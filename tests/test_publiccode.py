"""publiccode.yml describes Omzien as the standard (v0.4) asks, and agrees with the package and its licence."""

from __future__ import annotations

import tomllib
from pathlib import Path
from urllib.parse import urlsplit

import yaml

ROOT = Path(__file__).resolve().parent.parent
SOFTWARE_TYPES = {"standalone/mobile", "standalone/iot", "standalone/desktop", "standalone/web", "standalone/backend",
                  "standalone/other", "addon", "library", "configurationFiles"}
STATUSES = {"concept", "development", "beta", "stable", "obsolete"}


def publiccode() -> dict:
    return yaml.safe_load((ROOT / "publiccode.yml").read_text(encoding="utf-8"))


def project() -> dict:
    return tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]


def test_it_has_every_key_the_standard_requires() -> None:
    code = publiccode()
    assert code["publiccodeYmlVersion"] == "0.4"
    assert code["name"] == "Omzien" and code["softwareVersion"] == project()["version"]
    assert code["platforms"] and code["categories"]
    assert code["developmentStatus"] in STATUSES and code["softwareType"] in SOFTWARE_TYPES
    assert code["maintenance"]["type"] == "internal" and all(c["name"] for c in code["maintenance"]["contacts"])
    assert code["localisation"]["localisationReady"] is True
    assert code["usedBy"] == []


def test_it_is_described_in_dutch_and_english_within_the_lengths_of_the_standard() -> None:
    description = publiccode()["description"]
    assert set(description) == {"nl", "en"}
    for language in description.values():
        assert len(language["shortDescription"]) <= 150
        assert 150 <= len(language["longDescription"]) <= 10_000
        assert len(language["features"]) >= 5
    assert len(description["nl"]["features"]) == len(description["en"]["features"])


def test_its_languages_are_the_catalogues_the_bot_speaks() -> None:
    languages = {path.parent.parent.name for path in (ROOT / "omzien" / "locales").glob("*/LC_MESSAGES/omzien.po")}
    assert set(publiccode()["localisation"]["availableLanguages"]) == languages == {"nl", "en"}


def test_the_licence_is_the_eupl_everywhere() -> None:
    assert publiccode()["legal"]["license"] == project()["license"] == "EUPL-1.2"
    text = (ROOT / "LICENSE").read_text(encoding="utf-8")
    assert text.lstrip().startswith("EUROPEAN UNION PUBLIC LICENCE v. 1.2")
    assert "15. Applicable Law" in text and "Appendix" in text and "LiLiQ-R+" in text


def test_postgresql_is_optional_and_the_unknown_is_a_marked_placeholder() -> None:
    code = publiccode()
    assert {"name": "PostgreSQL", "versionMin": "15", "optional": True} in code["dependsOn"]["open"]
    assert urlsplit(code["url"]).hostname.endswith(".invalid")  # a reserved name: never a real-looking address
    assert code["maintenance"]["contacts"][0]["name"].startswith("FILL IN")
    assert "publiccode.yml" in (ROOT / "README.md").read_text(encoding="utf-8")
