"""``python -m telegram_replica --host 127.0.0.1 --port 8801 [--token 123:ABC] [--global-rate 30] …``

Ready when ``GET /__control__/health`` answers 200.
"""

import argparse

import uvicorn

from telegram_replica.app import create_app
from telegram_replica.config import RateLimit, ReplicaConfig
from telegram_replica.replica import Replica


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="telegram_replica", description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8801)
    parser.add_argument("--token", default=None, help="accept only this bot token (default: any)")
    parser.add_argument("--global-rate", type=int, default=None, help="messages per second across all chats")
    parser.add_argument("--per-chat-rate", type=int, default=None, help="messages per second to one chat")
    parser.add_argument("--blocked", type=int, action="append", default=[], help="chat id that blocked the bot")
    parser.add_argument("--log-level", default="warning")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    config = ReplicaConfig(
        token=args.token,
        global_limit=RateLimit(count=args.global_rate) if args.global_rate else None,
        per_chat_limit=RateLimit(count=args.per_chat_rate) if args.per_chat_rate else None,
        blocked_chats=frozenset(args.blocked),
    )
    uvicorn.run(
        create_app(Replica(config)),
        host=args.host,
        port=args.port,
        log_level=args.log_level,
        timeout_graceful_shutdown=1,  # long polls would hold SIGTERM for up to their timeout
    )


if __name__ == "__main__":
    main()
