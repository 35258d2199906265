"""Run the control API: ``python -m api [--host H] [--port P] [--workers N]``."""

from __future__ import annotations

import argparse
import ipaddress
import socket
import sys
from typing import Any

import uvicorn

from api.auth import InsecureSettings, require_safe_token
from api.limits import HEAD_LIMITED_HTTP
from core.db import make_engine
from core.logs import configure_logging
from core.migrate import SchemaOutOfDate, require_current
from core.settings import get_settings


def main() -> None:
    parser = argparse.ArgumentParser(description="MTA control API")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8000)
    parser.add_argument("--workers", type=int, default=1, help="server processes (uvicorn's own)")
    args = parser.parse_args()
    if args.workers > 1 and args.port == 0:
        parser.error("--workers N needs a fixed --port for its processes to share")
    settings = get_settings()
    configure_logging(settings, process="api", level=settings.log_level)
    if settings.demo and not ipaddress.ip_address(socket.gethostbyname(args.host)).is_loopback:
        sys.exit(f"mta api refuses to start: demo mode (MTA_DEMO) is open: serve it on loopback, not {args.host}")
    engine = make_engine(settings.database_url)
    try:  # refuse here, with one clear line, before any server process starts
        require_safe_token(settings)
        require_current(engine)
    except (InsecureSettings, SchemaOutOfDate) as exc:
        sys.exit(f"mta api refuses to start: {exc}")
    finally:
        engine.dispose()
    config: dict[str, Any] = {
        "app": "api.main:app",
        "factory": True,
        # uvloop and httptools, not asyncio and h11: several times less CPU a request; heads bounded (431).
        "loop": "uvloop",
        "http": HEAD_LIMITED_HTTP,
        "log_level": settings.log_level.lower(),
        "log_config": None,  # uvicorn's loggers write through core.logs (JSON), configured in the factory
    }
    uvicorn.run(host=args.host, port=args.port, workers=args.workers, **config)


if __name__ == "__main__":
    main()
