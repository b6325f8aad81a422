"""Translations straight from the ``.po`` catalogues in ``omzien/locales``.

They are compiled in memory when the bot starts, so a fresh ``pip install`` needs no
compile step and there is no ``.mo`` file to forget. Dutch is the default language.
"""

from __future__ import annotations

import gettext
from collections.abc import Iterator
from contextlib import contextmanager
from importlib.resources import files
from io import BytesIO

from aiogram.utils.i18n import I18n
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

DOMAIN = "omzien"
DEFAULT_LOCALE = "nl"
LANGUAGES = {"nl": "Nederlands", "en": "English"}


class CatalogueI18n(I18n):
    @contextmanager
    def context(self) -> Iterator[I18n]:
        # aiogram's gettext looks up the current I18n by the base class, not by this subclass.
        token = I18n.set_current(self)
        try:
            yield self
        finally:
            I18n.reset_current(token)

    def find_locales(self) -> dict[str, gettext.GNUTranslations]:
        translations = {}
        for po in sorted(self.path.glob(f"*/LC_MESSAGES/{self.domain}.po")):
            locale = po.parent.parent.name
            with po.open("rb") as source:
                catalog = read_po(source, locale=locale)
            compiled = BytesIO()
            write_mo(compiled, catalog)
            compiled.seek(0)
            translations[locale] = gettext.GNUTranslations(compiled)
        return translations


def load_i18n(default_locale: str = DEFAULT_LOCALE) -> CatalogueI18n:
    return CatalogueI18n(path=str(files("omzien") / "locales"), default_locale=default_locale, domain=DOMAIN)


def pick_locale(chosen: str | None, telegram_language: str | None, default: str = DEFAULT_LOCALE) -> str:
    """The language someone chose with /taal; else English if their Telegram is English; else Dutch."""
    if chosen in LANGUAGES:
        return chosen
    if telegram_language and telegram_language.lower().startswith("en"):
        return "en"
    return default
