"""The Telegram bot: subscriptions by chat, alerts with screenshot and booking link."""
