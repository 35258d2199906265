"""Run the control API: ``python -m api [--host H] [--port P]``."""

from __future__ import annotations

import argparse

import uvicorn


def main() -> None:
    parser = argparse.ArgumentParser(description="MTA control API")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8000)
    args = parser.parse_args()
    uvicorn.run("api.main:app", factory=True, host=args.host, port=args.port, log_level="info")


if __name__ == "__main__":
    main()
