"""Access control: the operator token, users' signed links, signed evidence URLs, CORS, and the startup guard."""

from __future__ import annotations

import re
import secrets
import subprocess
import time
from collections.abc import Callable
from pathlib import Path

import httpx
import pytest
import redis
from fastapi import HTTPException, Request
from pydantic import SecretStr
from sqlalchemy.orm import Session, sessionmaker

from api.auth import InsecureSettings, token_problem
from api.guesses import ALLOWED, WINDOW_S, Guesses
from api.main import create_app
from core.links import signing_key, user_token
from launch.processes import PYTHON, free_port
from tests.api.conftest import AUTH, OTHER_OFFICE, TOKEN, api_settings, record_finding, subscribe

ALICE, BOB = 1001, 2002
OPERATOR_PATHS = ["/targets", "/checks", "/subscriptions", "/portal", "/workers", "/targets/1/checks", "/checks/1"]


@pytest.fixture
def database_url(sqlite_url: str) -> str:
    """Access rules do not depend on the database: SQLite only, for speed."""
    return sqlite_url


@pytest.fixture
def two_users(sessions: sessionmaker[Session], evidence_dir: Path) -> dict[str, int]:
    """Alice and Bob watch different offices; each was alerted to one finding."""
    alice_target = subscribe(sessions, user_id=ALICE)
    bob_target = subscribe(sessions, user_id=BOB, office_id=OTHER_OFFICE)
    return {
        "alice_check": record_finding(sessions, evidence_dir, target_id=alice_target),
        "bob_check": record_finding(sessions, evidence_dir, target_id=bob_target, colour=(200, 0, 0)),
    }


def link(user_id: int, *, expires: int | None = None) -> str:
    return (
        f"/me/{user_token(signing_key(SecretStr(TOKEN)), user_id=user_id, expires=expires or int(time.time()) + 600)}"
    )


@pytest.mark.parametrize("path", OPERATOR_PATHS)
async def test_operator_endpoints_answer_401_without_token_and_403_with_a_wrong_one(
    client: httpx.AsyncClient, two_users: dict[str, int], path: str
) -> None:
    missing = await client.get(path)
    wrong = await client.get(path, headers={"Authorization": "Bearer not-the-token"})
    right = await client.get(path, headers=AUTH)
    assert (missing.status_code, wrong.status_code, right.status_code) == (401, 403, 200)
    assert missing.headers["www-authenticate"] == "Bearer"
    assert str(ALICE) not in missing.text + wrong.text


async def test_a_users_link_shows_their_own_subscriptions_only(
    client: httpx.AsyncClient, two_users: dict[str, int]
) -> None:
    response = await client.get(f"{link(ALICE)}/subscriptions")
    assert response.status_code == 200
    assert {s["user_id"] for s in response.json()} == {ALICE}
    assert str(BOB) not in response.text


async def test_a_users_link_lists_only_the_findings_alerted_to_them(
    client: httpx.AsyncClient, two_users: dict[str, int]
) -> None:
    response = await client.get(f"{link(ALICE)}/checks")
    assert [c["id"] for c in response.json()] == [two_users["alice_check"]]


async def test_a_users_finding_shows_nothing_of_the_farms_workings(
    client: httpx.AsyncClient, two_users: dict[str, int]
) -> None:
    """Issue 19: no request URL (it carries the farm's captcha token), no worker, no reviewer, no error text."""
    await client.post(
        f"/checks/{two_users['alice_check']}/review", json={"verdict": "confirmed", "reviewer": "anna"}, headers=AUTH
    )
    for response in (
        await client.get(f"{link(ALICE)}/checks"),
        await client.get(f"{link(ALICE)}/checks/{two_users['alice_check']}"),
    ):
        body = response.json()
        [check] = body if isinstance(body, list) else [body]
        assert check["screenshot_url"], "the proof stays"
        assert not {"request_url", "worker", "reviewed_by", "error", "evidence"} & set(check)
        assert "anna" not in response.text


async def test_another_users_finding_is_404_and_reveals_nothing_of_them(
    client: httpx.AsyncClient, two_users: dict[str, int]
) -> None:
    bob = (await client.get(f"/checks/{two_users['bob_check']}", headers=AUTH)).json()
    response = await client.get(f"{link(ALICE)}/checks/{two_users['bob_check']}")
    assert response.status_code == 404
    leaks = [str(BOB), str(OTHER_OFFICE), bob["screenshot_url"], *(e["sha256"] for e in bob["evidence"])]
    assert not [leak for leak in leaks if leak in response.text]


async def test_the_users_page_shows_their_watch_and_not_the_others(
    client: httpx.AsyncClient, two_users: dict[str, int]
) -> None:
    response = await client.get(link(ALICE))
    assert response.status_code == 200
    assert "Your watches" in response.text
    assert str(OTHER_OFFICE) not in response.text


async def test_signed_links_are_made_on_the_configured_url_whatever_the_host_header(
    client: httpx.AsyncClient, two_users: dict[str, int]
) -> None:
    """Issue 19: a client's ``Host`` header must not end up in the links the API signs."""
    check = (await client.get(f"/checks/{two_users['alice_check']}", headers={**AUTH, "Host": "evil.example"})).json()
    assert check["screenshot_url"].startswith("http://testserver/evidence/")
    assert "evil.example" not in str(check)


async def test_the_docs_load_nothing_from_another_origin(client: httpx.AsyncClient) -> None:
    """Issue 19: Swagger UI and ReDoc come with the API, not from a CDN."""
    for page in ("/docs", "/redoc"):
        html = (await client.get(page)).text
        sources = re.findall(r"""(?:src|href)=["']?([^"'\s>]+)""", html) + re.findall(r"url: ?'([^']+)'", html)
        assert sources, f"{page} loads its scripts"
        assert not [s for s in sources if s.startswith(("http:", "https:", "//"))], f"{page}: {sources}"
        for source in sources:
            if source.startswith("/static-offline-docs/"):
                assert (await client.get(source)).status_code == 200


def _flip(token: str, at: int) -> str:
    """``token`` with one character changed where it carries six full bits of the signature (base64's last
    character may carry fewer, so changing it can leave the signature as it was)."""
    return token[:at] + ("B" if token[at] != "B" else "C") + token[at + 1 :]


@pytest.mark.parametrize(
    "forge",
    [
        pytest.param(lambda token: token.replace(str(ALICE), str(BOB), 1), id="other-user"),
        pytest.param(lambda token: _flip(token, -5), id="bad-signature"),
        pytest.param(lambda token: "garbage", id="malformed"),
    ],
)
async def test_a_forged_link_is_403(
    client: httpx.AsyncClient, two_users: dict[str, int], forge: Callable[[str], str]
) -> None:
    token = link(ALICE).removeprefix("/me/")
    response = await client.get(f"/me/{forge(token)}/subscriptions")
    assert response.status_code == 403
    assert str(BOB) not in response.text


async def test_an_expired_link_is_403(client: httpx.AsyncClient, two_users: dict[str, int]) -> None:
    response = await client.get(f"{link(ALICE, expires=int(time.time()) - 1)}/subscriptions")
    assert response.status_code == 403


async def test_evidence_urls_are_signed_capabilities(client: httpx.AsyncClient, two_users: dict[str, int]) -> None:
    check = (await client.get(f"/checks/{two_users['alice_check']}", headers=AUTH)).json()
    url = httpx.URL(check["screenshot_url"])
    bare = url.copy_with(query=None)
    signed = await client.get(url)
    assert signed.status_code == 200
    assert signed.content.startswith(b"\x89PNG")
    assert (await client.get(url.copy_set_param("sig", "A" * 22))).status_code == 403
    assert (await client.get(bare)).status_code == 401
    assert (await client.get(bare, headers=AUTH)).status_code == 200


async def test_an_expired_evidence_url_is_403(client: httpx.AsyncClient, two_users: dict[str, int]) -> None:
    check = (await client.get(f"/checks/{two_users['alice_check']}", headers=AUTH)).json()
    url = httpx.URL(check["screenshot_url"]).copy_set_param("exp", str(int(time.time()) - 10))
    assert (await client.get(url)).status_code == 403


async def test_cors_is_closed_by_default(client: httpx.AsyncClient) -> None:
    preflight = {"Origin": "https://evil.example", "Access-Control-Request-Method": "GET"}
    response = await client.options("/targets", headers=preflight)
    assert "access-control-allow-origin" not in response.headers


async def test_cors_allows_the_origins_the_operator_names(make_client: Callable[..., httpx.AsyncClient]) -> None:
    async with make_client(api_cors_origins=["https://ops.example"]) as client:
        response = await client.get("/healthz", headers={"Origin": "https://ops.example"})
    assert response.headers["access-control-allow-origin"] == "https://ops.example"


@pytest.mark.parametrize("token", [None, "", "   ", "short", "changeme-changeme-changeme", "aaaaaaaaaaaaaaaaaaaa"])
def test_the_service_refuses_to_start_without_a_real_token(
    database_url: str, redis_url: str, evidence_dir: Path, token: str | None
) -> None:
    settings = api_settings(
        database_url, redis_url, evidence_dir, api_token=None if token is None else SecretStr(token)
    )
    with pytest.raises(InsecureSettings):
        create_app(settings)


async def test_demo_mode_without_a_token_is_open(make_client: Callable[..., httpx.AsyncClient]) -> None:
    async with make_client(demo=True, api_token=None) as client:
        assert (await client.get("/targets")).status_code == 200
        assert (await client.get("/review", follow_redirects=False)).status_code == 200


async def test_demo_mode_with_a_token_still_wants_it(make_client: Callable[..., httpx.AsyncClient]) -> None:
    async with make_client(demo=True) as client:
        assert (await client.get("/targets")).status_code == 401


def test_the_api_process_exits_with_a_placeholder_token(
    database_url: str, redis_url: str, evidence_dir: Path, tmp_path: Path
) -> None:
    env = {
        "MTA_DATABASE_URL": database_url,
        "MTA_REDIS_URL": redis_url,
        "MTA_API_TOKEN": "change-me-to-a-long-random-token",
        "MTA_DEMO": "0",
    }
    result = start_api_process(env, tmp_path)
    assert result.returncode != 0
    assert b"MTA_API_TOKEN looks like a placeholder" in result.stderr


def start_api_process(env: dict[str, str], folder: Path, *options: str) -> subprocess.CompletedProcess[bytes]:
    """``python -m api`` with only ``env``, expected to refuse to start."""
    return subprocess.run(
        [PYTHON, "-m", "api", *options, "--port", str(free_port())],
        env={"PATH": "/usr/bin:/bin", **env},
        capture_output=True,
        timeout=60,
        cwd=folder,
        check=False,
    )


async def test_review_pages_send_a_browser_to_the_login(client: httpx.AsyncClient) -> None:
    response = await client.get("/review?outcome=slots", follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"] == "/review/login?next=%2Freview%3Foutcome%3Dslots"


async def test_the_login_refuses_a_wrong_token(client: httpx.AsyncClient) -> None:
    response = await client.post("/review/login", data={"token": "wrong", "next": "/review"})
    assert response.status_code == 403
    assert "mta_session" not in response.headers.get("set-cookie", "")


async def test_a_verdict_needs_the_pages_csrf_token(client: httpx.AsyncClient, two_users: dict[str, int]) -> None:
    await client.post("/review/login", data={"token": TOKEN, "next": "/review"})
    form = {"verdict": "confirmed", "reviewer": "mallory", "csrf": "forged"}
    response = await client.post(f"/review/checks/{two_users['alice_check']}/verdict", data=form)
    assert response.status_code == 403
    check = (await client.get(f"/checks/{two_users['alice_check']}", headers=AUTH)).json()
    assert check["verdict"] is None


@pytest.mark.parametrize("token", ["1234567890123456", "munich2024munich", "aaaaaaaabbbbbbbbcccccccc"])
def test_weak_tokens_are_refused_by_their_strength(token: str) -> None:
    """Issue 19: long enough and free of placeholder words, but guessable: few bits by the entropy estimate."""
    problem = token_problem(token)
    assert problem is not None
    assert "placeholder" in problem


def test_random_tokens_pass() -> None:
    for _ in range(200):
        assert token_problem(secrets.token_urlsafe(16)) is None


def test_demo_mode_refuses_a_bind_beyond_loopback(database_url: str, redis_url: str, tmp_path: Path) -> None:
    env = {"MTA_DATABASE_URL": database_url, "MTA_REDIS_URL": redis_url, "MTA_DEMO": "1"}
    result = start_api_process(env, tmp_path, "--host", "0.0.0.0")
    assert result.returncode != 0
    assert b"serve it on loopback" in result.stderr


def _client_of(app: object, address: str) -> httpx.AsyncClient:
    transport = httpx.ASGITransport(app=app, client=(address, 4000))  # type: ignore[arg-type]
    return httpx.AsyncClient(transport=transport, base_url="http://testserver")


async def test_too_many_wrong_tokens_get_429_until_the_window_ends_the_right_one_included(
    database_url: str, redis_url: str, evidence_dir: Path
) -> None:
    """Issue 19: guessing is bounded per client, before the token is looked at; other clients are not touched."""
    app, wrong = create_app(api_settings(database_url, redis_url, evidence_dir)), {"Authorization": "Bearer no"}
    async with _client_of(app, "192.0.2.1") as client, _client_of(app, "192.0.2.7") as elsewhere:
        answers = [(await client.get("/targets", headers=wrong)).status_code for _ in range(ALLOWED)]
        assert answers == [403] * ALLOWED
        refused = await client.get("/targets", headers=wrong)
        assert refused.status_code == 429
        assert 1 <= int(refused.headers["retry-after"]) <= WINDOW_S
        assert (await client.get("/targets", headers=AUTH)).status_code == 429, "the right token waits too"
        assert (await client.post("/review/login", data={"token": TOKEN})).status_code == 429
        assert (await client.get(f"{link(ALICE)}/subscriptions")).status_code == 429
        assert (await elsewhere.get("/targets", headers=AUTH)).status_code == 200

    another_process = create_app(api_settings(database_url, redis_url, evidence_dir))
    async with _client_of(another_process, "192.0.2.1") as client:  # the count is shared through Redis
        assert (await client.get("/targets", headers=wrong)).status_code == 429


@pytest.mark.parametrize("attempt", ["login", "link"])
async def test_wrong_logins_and_forged_links_count_as_guesses(
    client: httpx.AsyncClient, two_users: dict[str, int], attempt: str
) -> None:
    async def guess() -> httpx.Response:
        if attempt == "login":
            return await client.post("/review/login", data={"token": "wrong", "next": "/review"})
        return await client.get(f"/me/{_flip(link(ALICE).removeprefix('/me/'), -5)}/subscriptions")

    assert [(await guess()).status_code for _ in range(ALLOWED)] == [403] * ALLOWED
    refused = await guess()
    assert refused.status_code == 429
    assert "too many wrong attempts" in refused.text


def test_a_refused_client_is_served_again_once_its_window_ends(redis_url: str) -> None:
    guesses = Guesses(redis.Redis.from_url(redis_url), allowed=1, window_s=1)
    request = Request({"type": "http", "client": ("192.0.2.9", 1), "headers": []})
    guesses.wrong(request)
    with pytest.raises(HTTPException) as refused:
        guesses.wrong(request)
    assert refused.value.status_code == 429
    time.sleep(1.1)
    guesses.refuse_if_blocked(request)  # no longer refused
    guesses.wrong(request)  # a new window: one wrong attempt allowed again
