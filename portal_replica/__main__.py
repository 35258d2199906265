"""``python -m portal_replica --host 127.0.0.1 --port 8700 [--dldb PATH] [--page-api-base URL] [--page-url URL]``.

Every other setting comes from ``REPLICA_*`` environment variables (see ``config.ReplicaConfig``).
"""

from __future__ import annotations

import argparse
from pathlib import Path

import uvicorn

from .app import create_app
from .config import ReplicaConfig


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="portal_replica", description=__doc__)
    parser.add_argument("--host")
    parser.add_argument("--port", type=int)
    parser.add_argument("--dldb", type=Path, help="folder with locations_de.json / services_de.json")
    parser.add_argument("--page-api-base", help="API base the booking page calls")
    parser.add_argument("--page-url", help="public URL of the booking page used in e-mail links")
    parser.add_argument("--generation", choices=["calendar", "legacy"])
    args = parser.parse_args(argv)
    overrides = {
        key: value
        for key, value in {
            "host": args.host,
            "port": args.port,
            "dldb_path": args.dldb,
            "page_api_base": args.page_api_base,
            "page_url": args.page_url,
            "generation": args.generation,
        }.items()
        if value is not None
    }
    config = ReplicaConfig(**overrides)
    uvicorn.run(create_app(config), host=config.host, port=config.port, log_level="warning")


if __name__ == "__main__":
    main()
