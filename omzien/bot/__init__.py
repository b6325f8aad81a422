"""Assembly: settings, the ``omzien`` command, start-up checks, i18n and the outbox sender."""
