"""Translations straight from the ``.po`` catalogues in ``omzien/locales``.

They are compiled in memory on first use, so a fresh ``pip install`` needs no compile step and there
is no ``.mo`` file to forget. Dutch is the default language.

``gettext`` below translates with the translator current in this context. The command line makes
a light ``Catalogues`` current (no aiogram: a command answers in a blink); the bot makes aiogram's
I18n current (``load_i18n``), which its middleware and handlers need. Both read the same catalogues,
so views and services translate the same way under either.
"""

from __future__ import annotations

import gettext as stdlib_gettext
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from functools import cache
from importlib.resources import files
from io import BytesIO
from typing import TYPE_CHECKING, Any, Protocol

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import LazyProxy

if TYPE_CHECKING:
    from aiogram.utils.i18n import I18n as AiogramI18n

DOMAIN = "omzien"
DEFAULT_LOCALE = "nl"
LANGUAGES = {"nl": "Nederlands", "en": "English"}


class I18n(Protocol):
    """What translates: ``Catalogues`` on the command line, aiogram's I18n in the bot."""

    default_locale: str

    @property
    def current_locale(self) -> str: ...

    def gettext(self, singular: str, plural: str | None = None, n: int = 1, locale: str | None = None) -> str: ...

    def context(self) -> Any: ...

    def use_locale(self, locale: str) -> Any: ...


_current: ContextVar[I18n] = ContextVar("omzien_translator")


@cache
def catalogue(locale: str, domain: str = DOMAIN) -> stdlib_gettext.GNUTranslations | None:
    """The catalogue of ``domain`` in ``locale``, compiled from its ``.po`` file on first use; None if none."""
    po = files("omzien") / "locales" / locale / "LC_MESSAGES" / f"{domain}.po"
    if not po.is_file():
        return None
    with po.open("rb") as source:
        catalog = read_po(source, locale=locale)
    mo = BytesIO()
    write_mo(mo, catalog)
    mo.seek(0)
    return stdlib_gettext.GNUTranslations(mo)


def compiled(domain: str = DOMAIN) -> dict[str, stdlib_gettext.GNUTranslations]:
    """Every language's catalogue of ``domain``."""
    languages = sorted(path.name for path in (files("omzien") / "locales").iterdir())
    return {locale: found for locale in languages if (found := catalogue(locale, domain)) is not None}


class Catalogues:
    """The catalogues and the language current in this context, without aiogram; a language's catalogue
    is compiled when it is first needed, so a command in Dutch never compiles the English one."""

    def __init__(self, default_locale: str = DEFAULT_LOCALE, domain: str = DOMAIN) -> None:
        self.default_locale, self.domain = default_locale, domain
        self._locale = ContextVar(f"{domain}_locale", default=default_locale)

    @property
    def current_locale(self) -> str:
        return self._locale.get()

    def gettext(self, singular: str, plural: str | None = None, n: int = 1, locale: str | None = None) -> str:
        translations = catalogue(locale or self.current_locale, self.domain)
        if translations is None:
            return singular if n == 1 else plural or singular
        return translations.gettext(singular) if plural is None else translations.ngettext(singular, plural, n)

    @contextmanager
    def use_locale(self, locale: str) -> Iterator[None]:
        token = self._locale.set(locale)
        try:
            yield
        finally:
            self._locale.reset(token)

    @contextmanager
    def context(self) -> Iterator[Catalogues]:
        with current(self):
            yield self


@contextmanager
def current(translator: I18n) -> Iterator[None]:
    """``translator`` translates ``gettext`` in this context."""
    token = _current.set(translator)
    try:
        yield
    finally:
        _current.reset(token)


def get_i18n() -> I18n:
    try:
        return _current.get()
    except LookupError:
        raise LookupError("no translator is current: use it inside `with i18n.context():`") from None


def gettext(singular: str, plural: str | None = None, n: int = 1, locale: str | None = None) -> str:
    return get_i18n().gettext(singular, plural, n, locale)


ngettext = gettext


def lazy_gettext(singular: str, plural: str | None = None, n: int = 1, locale: str | None = None) -> LazyProxy:
    """Translated when used, in the language current then (for texts defined at import)."""
    return LazyProxy(gettext, singular, plural, n, locale, enable_cache=False)


def current_locale() -> str:
    return get_i18n().current_locale


def load_i18n(default_locale: str = DEFAULT_LOCALE) -> AiogramI18n:
    """The bot's translator: aiogram's I18n over the same catalogues (aiogram is imported only here)."""
    from omzien.core.aiogram_i18n import CatalogueI18n

    return CatalogueI18n(path=str(files("omzien") / "locales"), default_locale=default_locale, domain=DOMAIN)


def pick_locale(chosen: str | None, telegram_language: str | None, default: str = DEFAULT_LOCALE) -> str:
    """The language someone chose with /taal; else English if their Telegram is English; else Dutch."""
    if chosen in LANGUAGES:
        return chosen
    if telegram_language and telegram_language.lower().startswith("en"):
        return "en"
    return default
