"""Configuration from the environment or a ``.env`` file, all with the prefix ``OMZIEN_``."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from pydantic import SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="OMZIEN_", env_file=".env", extra="ignore")

    bot_token: SecretStr | None = None
    database_url: str = "sqlite+aiosqlite:///omzien.sqlite3"
    # The key that seals address, note and phone at rest (omzien.storage.sealing): base64, several separated by
    # commas (the first seals, all open). Without it, the key file below, made on first run (mode 0600).
    secret_key: SecretStr | None = None
    key_file: Path = Path("omzien.key")
    telegram_api_url: str | None = None
    bot_username: str | None = None  # for links on posters; else asked of Telegram with the token
    duplicate_window_days: int = 30
    language: str = "nl"
    flood_limit: int = 20  # updates from one person within flood_seconds; more are left unhandled
    flood_seconds: float = 10.0
    # Webhook mode (omzien.bot.web): Telegram posts updates to webhook_url; the bot listens on ``listen``
    # (host:port, also for /healthz, /readyz and /metrics). Without webhook_url the bot polls.
    webhook_url: str | None = None
    webhook_secret: SecretStr | None = None  # else derived from the bot token, the same in every instance
    webhook_connections: int = 40  # Telegram's max_connections: updates it posts at the same time
    listen: str | None = None  # host:port; in webhook mode 127.0.0.1:8081 when not given
    ready_outbox_lag: float = 120.0  # /readyz fails when a due message has waited longer (seconds)

    @property
    def duplicate_window(self) -> timedelta:
        return timedelta(days=self.duplicate_window_days)
