"""Run the control API: ``python -m api [--host H] [--port P] [--workers N]``."""

from __future__ import annotations

import argparse
import sys

import uvicorn

from api.auth import InsecureSettings, require_safe_token
from core.db import make_engine
from core.logs import configure_logging
from core.migrate import SchemaOutOfDate, require_current
from core.settings import get_settings


def main() -> None:
    parser = argparse.ArgumentParser(description="MTA control API")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8000)
    parser.add_argument("--workers", type=int, default=1, help="server processes sharing the port")
    args = parser.parse_args()
    settings = get_settings()
    configure_logging(settings, process="api", level=settings.log_level)
    engine = make_engine(settings.database_url)
    try:  # refuse here, with one clear line, before any server process starts
        require_safe_token(settings)
        require_current(engine)
    except (InsecureSettings, SchemaOutOfDate) as exc:
        sys.exit(f"mta api refuses to start: {exc}")
    finally:
        engine.dispose()
    uvicorn.run(
        "api.main:app",
        factory=True,
        host=args.host,
        port=args.port,
        workers=args.workers,
        log_level=settings.log_level.lower(),
        log_config=None,  # uvicorn's loggers write through core.logs (JSON), configured in the factory
    )


if __name__ == "__main__":
    main()
