"""The Bot API surface over plain HTTP: envelopes, errors, body encodings and long polling."""

import asyncio
import time

import httpx
import pytest

from telegram_replica.server import ReplicaServer


@pytest.fixture
async def http(server: ReplicaServer, token: str) -> httpx.AsyncClient:
    async with httpx.AsyncClient(base_url=f"{server.base_url}{token}", timeout=10) as client:
        yield client


async def test_wrong_token_is_unauthorized(server: ReplicaServer) -> None:
    async with httpx.AsyncClient() as client:
        response = await client.post(f"{server.base_url}999:WRONG/getMe")

    assert response.status_code == 401
    assert response.json() == {"ok": False, "error_code": 401, "description": "Unauthorized"}


async def test_unknown_method_is_not_found(http: httpx.AsyncClient) -> None:
    response = await http.post("/sendTelepathy")

    assert response.status_code == 404
    assert response.json() == {"ok": False, "error_code": 404, "description": "Not Found: method not found"}


async def test_method_names_are_case_insensitive_and_get_works(http: httpx.AsyncClient) -> None:
    response = await http.get("/GETME")

    assert response.json()["result"]["is_bot"] is True


async def test_json_and_form_bodies_give_the_same_message(http: httpx.AsyncClient, server: ReplicaServer) -> None:
    markup = '{"inline_keyboard": [[{"text": "Go", "callback_data": "go"}]]}'
    by_json = await http.post("/sendMessage", json={"chat_id": 7, "text": "123", "reply_markup": markup})
    by_form = await http.post("/sendMessage", data={"chat_id": "7", "text": "123", "reply_markup": markup})

    first, second = by_json.json()["result"], by_form.json()["result"]
    assert (first["message_id"], second["message_id"]) == (1, 2)  # numbered per chat
    assert first["text"] == second["text"] == "123"  # text stays text even when it looks like JSON
    assert second["reply_markup"]["inline_keyboard"][0][0]["callback_data"] == "go"
    assert [c.chat_id for c in server.calls("sendMessage")] == [7, 7]


async def test_telegram_refuses_what_it_refuses(http: httpx.AsyncClient) -> None:
    empty = await http.post("/sendMessage", json={"chat_id": 7, "text": " "})
    long_data = {"inline_keyboard": [[{"text": "x", "callback_data": "x" * 65}]]}
    long_button = await http.post("/sendMessage", json={"chat_id": 7, "text": "hi", "reply_markup": long_data})
    sent = (await http.post("/sendMessage", json={"chat_id": 7, "text": "hi"})).json()["result"]
    same = await http.post("/editMessageText", json={"chat_id": 7, "message_id": sent["message_id"], "text": "hi"})
    gone = await http.post("/deleteMessage", json={"chat_id": 7, "message_id": 99})

    assert empty.json()["description"] == "Bad Request: message text is empty"
    assert long_button.json()["description"] == "Bad Request: BUTTON_DATA_INVALID"
    assert same.status_code == 400
    assert same.json()["description"].startswith("Bad Request: message is not modified")
    assert gone.json()["description"] == "Bad Request: message to delete not found"


async def test_long_poll_returns_as_soon_as_a_user_writes(http: httpx.AsyncClient, server: ReplicaServer) -> None:
    started = time.monotonic()
    poll = asyncio.create_task(http.post("/getUpdates", json={"timeout": 5}))
    await asyncio.sleep(0.2)
    server.send_text(9, "hello")

    updates = (await poll).json()["result"]

    assert time.monotonic() - started < 2
    assert updates[0]["message"]["text"] == "hello"


async def test_long_poll_waits_its_timeout_when_nothing_comes(http: httpx.AsyncClient) -> None:
    started = time.monotonic()
    response = await http.post("/getUpdates", json={"timeout": 1})

    assert response.json() == {"ok": True, "result": []}
    assert 0.9 < time.monotonic() - started < 3


async def test_offset_confirms_earlier_updates_and_limit_caps_the_batch(
    http: httpx.AsyncClient, server: ReplicaServer
) -> None:
    ids = [server.send_text(9, f"m{n}") for n in range(3)]

    first = (await http.post("/getUpdates", json={"limit": 2})).json()["result"]
    rest = (await http.post("/getUpdates", json={"offset": ids[1] + 1})).json()["result"]

    assert [u["update_id"] for u in first] == ids[:2]
    assert [u["update_id"] for u in rest] == ids[2:]


async def test_get_updates_conflicts_with_a_webhook(http: httpx.AsyncClient) -> None:
    await http.post("/setWebhook", json={"url": "https://bot.example/hook"})

    response = await http.post("/getUpdates")

    assert response.status_code == 409
    info = (await http.post("/getWebhookInfo")).json()["result"]
    assert info["url"] == "https://bot.example/hook"


async def test_commands_round_trip(http: httpx.AsyncClient) -> None:
    commands = [{"command": "start", "description": "Start"}]
    await http.post("/setMyCommands", json={"commands": commands, "language_code": "de"})

    german = (await http.post("/getMyCommands", json={"language_code": "de"})).json()["result"]
    default = (await http.post("/getMyCommands")).json()["result"]

    assert (german, default) == (commands, [])
