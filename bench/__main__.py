"""``make bench``: every benchmark in one run; figures printed and written to ``bench/results.json``.

``python -m bench [name …]`` runs only the named ones (checks, detect, horizon, proof, outage, fanout, api_checks,
booking, captcha).
"""

from __future__ import annotations

import importlib
import json
import sys
import time
from pathlib import Path

RESULTS = Path(__file__).resolve().parent / "results.json"
BENCHES = ("checks", "detect", "horizon", "proof", "outage", "fanout", "api_checks", "booking", "captcha")


def main(names: list[str]) -> None:
    results: dict[str, float] = json.loads(RESULTS.read_text()) if RESULTS.exists() else {}
    for name in names or BENCHES:
        try:
            module = importlib.import_module(f"bench.{name}")
        except ModuleNotFoundError:
            print(f"{name}: not present, skipped", flush=True)
            continue
        started = time.monotonic()
        figures = module.run()
        print(f"{name} ({time.monotonic() - started:.0f} s):", flush=True)
        for key, value in figures.items():
            print(f"  {key:32} {value}", flush=True)
        results.update(figures)
        RESULTS.write_text(json.dumps(results, indent=2, sort_keys=True) + "\n")
    print(f"written to {RESULTS}")


if __name__ == "__main__":
    main(sys.argv[1:])
