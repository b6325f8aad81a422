"""Omzien: a Telegram bot for the Dutch local approach to loneliness."""
