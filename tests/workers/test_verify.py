"""Choosing and verifying newly listed days: the most wanted first, each once while it stays listed."""

from __future__ import annotations

import datetime as dt

import pytest
import redis

from core.slots import Observation, OfficeDay, SeenSlot
from core.subscriptions import Filters
from workers.fetch import NoBudget
from workers.verify import WantedDay, forget, settle, verify, wanted_days

MON, TUE, WED = dt.date(2030, 3, 4), dt.date(2030, 3, 5), dt.date(2030, 3, 6)
A, B, PEER = 1, 2, 3


def test_days_are_wanted_by_subscribers_whose_offices_and_dates_fit() -> None:
    unverified = {(MON, A), (TUE, B), (WED, A), (WED, B), (WED, PEER)}
    interests = [
        (Filters(), frozenset({10})),  # target 10: office A and its peer
        (Filters(weekdays=frozenset({2})), frozenset({20})),  # Wednesdays at B
        (Filters(date_to=MON), frozenset({10, 20})),  # Monday at the latest, anywhere
        (Filters(weekdays=frozenset({1})), frozenset({10})),  # Tuesdays at A: no Tuesday listed at A
    ]
    days = wanted_days(unverified, unverified, interests=interests, target_offices={10: (A, PEER), 20: (B,)})
    assert days == [WantedDay(MON, (A,), 2), WantedDay(WED, (A, B, PEER), 2)]


def test_a_day_no_subscriber_could_want_is_not_asked_for() -> None:
    days = wanted_days(
        {(TUE, A)},
        {(TUE, A)},
        interests=[(Filters(weekdays=frozenset({0})), frozenset({10}))],
        target_offices={10: (A,)},
    )
    assert days == []


@pytest.fixture
def client(redis_url: str) -> redis.Redis:
    return redis.Redis.from_url(redis_url)


def listing(*keys: OfficeDay, timed: frozenset[OfficeDay] = frozenset()) -> Observation:
    return Observation(frozenset(), frozenset(keys), timed, MON, WED)


def test_a_day_stays_verified_while_listed_and_is_new_again_after(client: redis.Redis) -> None:
    asked: list[dt.date] = []

    def ask(day: dt.date, offices: tuple[int, ...]) -> Observation:
        asked.append(day)
        return Observation(frozenset(), timed=frozenset((day, o) for o in offices))

    for listed in [True, True, False, True]:
        seen = listing((MON, A), *([(TUE, A)] if listed else []), timed=frozenset({(MON, A)}))
        done = settle(client, "k", seen)
        days = wanted_days(
            seen.unverified() - done, seen.listed, interests=[(Filters(), frozenset({1}))], target_offices={1: (A,)}
        )
        verify(seen, days, ask_day=ask, client=client, key="k")
    assert asked == [TUE, TUE], "verified once, then again when it came back"


def test_a_day_whose_times_were_not_recorded_is_verified_again(client: redis.Redis) -> None:
    """A check overtaken by a newer one records no slot: the days it verified are asked for again."""
    asked: list[dt.date] = []

    def ask(day: dt.date, offices: tuple[int, ...]) -> Observation:
        asked.append(day)
        return Observation(frozenset(), timed=frozenset((day, o) for o in offices))

    for _ in range(2):
        seen = listing((TUE, A))
        done = settle(client, "k", seen)
        days = wanted_days(
            seen.unverified() - done, seen.listed, interests=[(Filters(), frozenset({1}))], target_offices={1: (A,)}
        )
        verified = verify(seen, days, ask_day=ask, client=client, key="k")
        forget(client, "k", verified.timed)
    assert asked == [TUE, TUE]


def test_times_of_a_verified_day_join_the_observation(client: redis.Redis) -> None:
    slot = SeenSlot(dt.datetime(2030, 3, 5, 8, tzinfo=dt.UTC), B)

    def ask(day: dt.date, offices: tuple[int, ...]) -> Observation:
        return Observation(frozenset({slot}), timed=frozenset((day, o) for o in offices))

    seen = verify(listing((TUE, B)), [WantedDay(TUE, (B,), 1)], ask_day=ask, client=client, key="k")
    assert seen.slots == {slot}
    assert not seen.unverified()


def test_without_a_request_left_the_rest_waits_for_the_next_check(client: redis.Redis) -> None:
    asked: list[dt.date] = []

    def ask(day: dt.date, offices: tuple[int, ...]) -> Observation:
        if len(asked) == 1:
            raise NoBudget(5.0)
        asked.append(day)
        return Observation(frozenset(), timed=frozenset((day, o) for o in offices))

    days = [WantedDay(TUE, (A,), 3), WantedDay(WED, (A,), 1), WantedDay(MON, (A,), 1)]
    verify(listing((MON, A), (TUE, A), (WED, A)), days, ask_day=ask, client=client, key="k")
    assert asked == [TUE]
    assert {m.decode() for m in client.smembers("k")} == {f"{TUE}:{A}"}, "the unverified days are not claimed"


def test_a_day_claimed_by_another_check_is_left_to_it(client: redis.Redis) -> None:
    client.sadd("k", f"{TUE}:{A}")

    def ask(day: dt.date, offices: tuple[int, ...]) -> Observation:
        raise AssertionError("asked for a day another check verifies")

    verify(listing((TUE, A)), [WantedDay(TUE, (A,), 1)], ask_day=ask, client=client, key="k")


def test_one_check_of_a_service_verifies_at_a_time(client: redis.Redis) -> None:
    """Two checks verifying side by side would each take the next most wanted day, and the portal would see them
    in either order: the second leaves its days to the first, which goes down the list alone."""
    client.set("k:verifying", "another check")

    def ask(day: dt.date, offices: tuple[int, ...]) -> Observation:
        raise AssertionError("asked while another check verifies")

    seen = listing((TUE, A))
    assert verify(seen, [WantedDay(TUE, (A,), 1)], ask_day=ask, client=client, key="k") == seen
    assert not client.smembers("k"), "nothing claimed: the verifying check or the next one takes the day"
    client.delete("k:verifying")
    asked: list[dt.date] = []

    def answer(day: dt.date, offices: tuple[int, ...]) -> Observation:
        asked.append(day)
        return Observation(frozenset(), timed=frozenset((day, o) for o in offices))

    verify(seen, [WantedDay(TUE, (A,), 1)], ask_day=answer, client=client, key="k")
    assert asked == [TUE]
    assert client.get("k:verifying") is None, "the lock is given back"
