"""aiogram's I18n over Omzien's catalogues, for the bot: its middleware and handlers need aiogram's own."""

from __future__ import annotations

import gettext
from collections.abc import Iterator
from contextlib import contextmanager

from aiogram.utils.i18n import I18n

from omzien.core.i18n import compiled, current


class CatalogueI18n(I18n):
    @contextmanager
    def context(self) -> Iterator[I18n]:
        # aiogram's gettext looks up the current I18n by the base class, not by this subclass;
        # omzien.core.i18n.gettext (views, services) by its own context.
        token = I18n.set_current(self)
        try:
            with current(self):
                yield self
        finally:
            I18n.reset_current(token)

    def find_locales(self) -> dict[str, gettext.GNUTranslations]:
        return compiled(self.domain)
