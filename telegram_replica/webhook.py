"""Webhook mode: push pending updates to the URL given to ``setWebhook``, with its secret token header.

Like Telegram, an update is confirmed only by a 2xx answer; anything else is retried after a pause and
reported by ``getWebhookInfo`` as ``last_error_message``.
"""

import asyncio
import time

import httpx

from telegram_replica.replica import Replica

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"  # noqa: S105 -- a header name, not a secret


async def push_updates(replica: Replica, *, retry_pause: float = 0.5) -> None:
    """Run until cancelled or the queue closes: deliver each pending update in order while a webhook is set."""
    async with httpx.AsyncClient(timeout=10.0) as client:
        while not replica.updates.closed:
            webhook = replica.webhook
            pending = replica.updates.pending()
            if webhook is None:
                await asyncio.sleep(0.1)
                continue
            if not pending:
                await replica.updates.wait_pending(wait=1.0)
                continue
            headers = {SECRET_HEADER: webhook.secret_token} if webhook.secret_token else {}
            update = pending[0]
            error = await _post(client, webhook.url, update, headers)
            if error is None:
                replica.updates.confirm(update["update_id"] + 1)
            else:
                with replica.lock:
                    replica.webhook_error = (int(time.time()), error)
                await asyncio.sleep(retry_pause)


async def _post(client: httpx.AsyncClient, url: str, update: dict[str, object], headers: dict[str, str]) -> str | None:
    try:
        response = await client.post(url, json=update, headers=headers)
    except httpx.HTTPError as error:
        return f"Connection failed: {error}"
    if response.is_success:
        return None
    return f"Wrong response from the webhook: {response.status_code} {response.reason_phrase}"
