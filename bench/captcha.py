"""What a captcha token costs the farm as the portal's captcha service raises the difficulty with our visits.

The city's challenges are ALTCHA v2 (``cost`` rounds of SHA-256 a counter, a key prefix of one byte: 256
counters on average). ``captcha_solve_s_cost_N`` is the median time of the farm's solver (``workers.altcha``)
over fresh challenges of the replica at cost N; ``captcha_solve_s_cost_1000_webcrypto`` is the same work done
in Chromium with WebCrypto, the other way the farm could solve, measured beside it.
"""

from __future__ import annotations

import statistics
import time
from typing import Any

from playwright.sync_api import sync_playwright

from core.settings import Settings
from portal_replica.captcha import CaptchaParams, decode_payload, new_challenge, verify_solution
from workers.altcha import solve
from workers.browser import CHROMIUM_ARGS

PARAMS = CaptchaParams(secret="bench")
RUNS = {1000: 15, 10_000: 7, 100_000: 5}  # the time per run is geometric: medians of several
WEBCRYPTO_RUNS = 3

# v2 solved in the page with crypto.subtle (a secure context: a loopback origin), counter by counter.
WEBCRYPTO_SOLVER = """async (challenge) => {
  const p = challenge.parameters;
  const bytes = (hex) => new Uint8Array(hex.match(/../g).map((pair) => parseInt(pair, 16)));
  const start = new Uint8Array([...bytes(p.salt), ...bytes(p.nonce), 0, 0, 0, 0]);
  for (let counter = 0; counter < 2 ** 32; counter++) {
    new DataView(start.buffer).setUint32(start.length - 4, counter);
    let key = start;
    for (let i = 0; i < p.cost; i++) key = new Uint8Array(await crypto.subtle.digest("SHA-256", key));
    const hex = Array.from(key.slice(0, p.keyLength), (b) => b.toString(16).padStart(2, "0")).join("");
    if (hex.startsWith(p.keyPrefix)) return { counter, derivedKey: hex };
  }
}"""


def _native(cost: int) -> float:
    now = time.time()
    challenge = new_challenge("v2", PARAMS, now, difficulty=cost)
    started = time.perf_counter()
    payload = solve(challenge, timeout_s=600)
    took = time.perf_counter() - started
    solved = decode_payload(payload)
    if solved is None or not verify_solution(solved, PARAMS, now):
        raise RuntimeError("the farm's solver gave a solution the portal refuses")
    return took


def _webcrypto(cost: int, runs: int) -> list[float]:
    times = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=Settings().chromium_path, args=CHROMIUM_ARGS)
        page = browser.new_page()
        origin = "http://127.0.0.1/solve"  # loopback: a secure context, where crypto.subtle exists
        page.route(origin, lambda route: route.fulfill(body="<html></html>", content_type="text/html"))
        page.goto(origin)
        for _ in range(runs):
            challenge: dict[str, Any] = new_challenge("v2", PARAMS, time.time(), difficulty=cost)
            started = time.perf_counter()
            solution = page.evaluate(WEBCRYPTO_SOLVER, challenge)
            times.append(time.perf_counter() - started)
            if not verify_solution({"challenge": challenge, "solution": solution}, PARAMS, time.time()):
                raise RuntimeError("the page's solver gave a solution the portal refuses")
        browser.close()
    return times


def run() -> dict[str, float]:
    figures = {
        f"captcha_solve_s_cost_{cost}": round(statistics.median(_native(cost) for _ in range(runs)), 3)
        for cost, runs in RUNS.items()
    }
    figures["captcha_solve_s_cost_1000_webcrypto"] = round(statistics.median(_webcrypto(1000, WEBCRYPTO_RUNS)), 3)
    return figures


if __name__ == "__main__":
    print(run())
