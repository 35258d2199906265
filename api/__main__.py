"""Run the control API: ``python -m api [--host H] [--port P] [--workers N]``."""

from __future__ import annotations

import argparse
import sys

import uvicorn

from api.auth import InsecureSettings, require_safe_token
from core.settings import get_settings


def main() -> None:
    parser = argparse.ArgumentParser(description="MTA control API")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8000)
    parser.add_argument("--workers", type=int, default=1, help="server processes sharing the port")
    args = parser.parse_args()
    try:
        require_safe_token(get_settings())  # refuse here, with one clear line, before any worker starts
    except InsecureSettings as exc:
        sys.exit(f"mta api refuses to start: {exc}")
    uvicorn.run("api.main:app", factory=True, host=args.host, port=args.port, workers=args.workers, log_level="info")


if __name__ == "__main__":
    main()
