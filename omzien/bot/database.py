"""The database the settings name, with the keys that seal its personal data at rest."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncEngine

from omzien.core.i18n import gettext as _
from omzien.core.settings import Settings
from omzien.storage.db import create_engine
from omzien.storage.sealing import BadKey, Keyring, load_keyring


class NoKeys(Exception):
    """The key that seals personal data could not be read: the sentence says why and what to do."""


def engine_for(settings: Settings) -> AsyncEngine:
    """The engine of the configured database, with the keys that seal personal data at rest."""
    return create_engine(settings.database_url, keys_for(settings))


def keys_for(settings: Settings) -> Keyring:
    try:
        return load_keyring(settings)
    except BadKey:
        raise NoKeys(_("De sleutel in OMZIEN_SECRET_KEY of in {file} is geen sleutel van Omzien "
                       "(32 bytes in base64). Zet de juiste sleutel terug.").format(file=settings.key_file)) from None
    except OSError as error:
        raise NoKeys(_("Het sleutelbestand {file} kan niet gelezen of gemaakt worden: {reason}.").format(
            file=settings.key_file, reason=error.strerror)) from None
