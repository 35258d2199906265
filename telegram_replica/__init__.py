"""A local stand-in for the Telegram Bot API that records what a bot sends and simulates its users.

The real python-telegram-bot application talks to it over HTTP (``base_url``), so tests exercise the same
requests, envelopes and errors (429, 403, 400) the bot meets in production.
"""

from telegram_replica.client import TelegramReplicaClient
from telegram_replica.config import RateLimit, ReplicaConfig
from telegram_replica.records import Call, UploadedFile
from telegram_replica.replica import Replica
from telegram_replica.server import ReplicaServer, run_server

__all__ = [
    "Call",
    "RateLimit",
    "Replica",
    "ReplicaConfig",
    "ReplicaServer",
    "TelegramReplicaClient",
    "UploadedFile",
    "run_server",
]
