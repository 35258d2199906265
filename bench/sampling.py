"""``python -m bench.sampling``: how far the mean wait of one detection run strays, by how its openings are drawn.

A model of the one-service schedule of ``bench.detect.limited`` (the request times ``plan_run`` gives under the
scaled limiter): 5 lanes, 10 rounds, each round at a random phase of the farm's cycle. It prints the standard
deviation of the 50 openings' mean wait when each moment is drawn independently, independently within each
lane's part of the cycle, and with all parts shifted together (``bench.detect._rounds``). No farm runs.
"""

from __future__ import annotations

import bisect
import random
import statistics
from collections.abc import Callable

from bench.detect import LIMIT, LIMITED_ROUNDS, MARGIN_REQUESTS, MARGIN_S, OFFICES, SILENCE
from workers.plan import Limiter, plan_run

TRIALS = 4000


def _wait(sends: list[float], cycle: float) -> Callable[[float], float]:
    """The wait from a moment of the cycle to the next request."""

    def wait(moment: float) -> float:
        moment %= cycle
        k = bisect.bisect_left(sends, moment)
        return sends[k] - moment if k < len(sends) else cycle + sends[0] - moment

    return wait


def spread(draw: str, rng: random.Random) -> float:
    plan = plan_run({0: 1.0}, Limiter(LIMIT - MARGIN_REQUESTS, SILENCE + MARGIN_S), steady_interval_s=0)
    wait = _wait([at for at, _ in plan.sends], plan.cycle)
    lanes, part = len(OFFICES), plan.cycle / len(OFFICES)
    means = []
    for _ in range(TRIALS):
        waits = []
        for _ in range(LIMITED_ROUNDS):
            phase, shift = rng.random() * plan.cycle, rng.random()
            for k in range(lanes):
                if draw == "shifted":
                    offset = k + shift
                else:
                    offset = k + rng.random() if draw == "within_part" else rng.random() * lanes
                waits.append(wait(phase + offset * part))
        means.append(statistics.mean(waits))
    return statistics.stdev(means)


def main() -> None:
    rng = random.Random(3)
    for draw in ("independent", "within_part", "shifted"):
        print(f"{draw:12} standard deviation of the mean wait: {spread(draw, rng):.3f} s")


if __name__ == "__main__":
    main()
