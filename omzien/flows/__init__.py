"""The domain of Omzien, independent of Telegram: what signallers, welfare workers and residents mean."""
