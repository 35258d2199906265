"""Structured JSON logs for every process, with secrets and personal data taken out before anything is written.

``configure_logging(settings, process="worker")`` once at process start: structlog renders one JSON object per
line to stderr, and the standard library's loggers (Celery, uvicorn, httpx, python-telegram-bot) go through the
same chain. Ids bound with ``structlog.contextvars`` (task, target, check) appear on every line logged meanwhile.
"""

from __future__ import annotations

import logging
import os
import re
import sys
from collections.abc import Iterable, MutableMapping
from types import TracebackType
from typing import Any, TextIO

import structlog
from structlog.typing import EventDict, Processor, WrappedLogger

from core.settings import Settings

REDACTED = "<redacted>"

# Values of these keys never reach a log, whatever they hold.
SECRET_KEYS = frozenset(
    {
        "auth_key",
        "authkey",
        "authorization",
        "captcha_token",
        "captchatoken",
        "email",
        "family_name",
        "familyname",
        "first_name",
        "full_name",
        "last_name",
        "password",
        "phone",
        "secret",
        "telephone",
        "token",
        "username",
    }
)

# Secrets and personal data as they appear inside text: URLs of the Bot API and the portal, signed links, the
# reprs and JSON of the portal's appointments (``authKey`` with ``processId`` opens a citizen's appointment).
PATTERNS: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"(/(?:file/)?bot)[^/\s\"'?]+"), rf"\1{REDACTED}"),  # Bot API: /bot<token>/sendMessage
    (re.compile(r"((?:captchaToken|authKey)=)[^&\s\"']+"), rf"\1{REDACTED}"),  # the portal's secrets in a query
    (  # the same and the portal's contact fields in JSON, dict reprs and dataclass reprs
        re.compile(
            r"""(["']?\b(?:authKey|auth_key|captchaToken|captcha_token|familyName|family_name|telephone|phone)"""
            r"""\b["']?\s*[:=]\s*)(?:"[^"]*"|'[^']*'|[^,&\s)}"']+)"""
        ),
        rf"\1{REDACTED}",
    ),
    (re.compile(r"(?<![\w.+])(?:\+|00|0)\d[\d /-]{5,16}\d(?![\w.])"), "<phone>"),  # +49 89 1234567, 0171-…
    (re.compile(r"(\bsig=)[^&\s\"']+"), rf"\1{REDACTED}"),  # signed evidence URLs
    (re.compile(r"-?\b[0-9]{1,19}\.[0-9]{1,12}\.[A-Za-z0-9_-]{22}(?![A-Za-z0-9_-])"), REDACTED),  # /me/<link token>
    (re.compile(r"(Bearer\s+)\S+", re.IGNORECASE), rf"\1{REDACTED}"),
    (re.compile(r"(://[^:/\s@]+:)[^@\s/]+@"), rf"\1{REDACTED}@"),  # passwords in database and Redis URLs
    (re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)*\.[A-Za-z]{2,}"), "<e-mail>"),
)


class Redact:
    """A structlog processor: the settings' secrets and the ``PATTERNS`` out of every value, recursively."""

    def __init__(self, secrets: Iterable[str] = ()) -> None:
        self.secrets = sorted({s for s in secrets if len(s) >= 6}, key=len, reverse=True)

    def text(self, value: str) -> str:
        for secret in self.secrets:
            value = value.replace(secret, REDACTED)
        for pattern, replacement in PATTERNS:
            value = pattern.sub(replacement, value)
        return value

    def value(self, key: str, value: Any) -> Any:
        if key.lower() in SECRET_KEYS and value is not None:
            return REDACTED
        if isinstance(value, str):
            return self.text(value)
        if isinstance(value, dict):
            return {k: self.value(str(k), v) for k, v in value.items()}
        if isinstance(value, list | tuple | set):
            return [self.value("", v) for v in value]
        if isinstance(value, int | float | bool) or value is None:
            return value
        return self.text(repr(value))

    def __call__(self, _logger: WrappedLogger, _method: str, event_dict: EventDict) -> EventDict:
        return {key: self.value(key, value) for key, value in event_dict.items()}


def settings_secrets(settings: Settings | None) -> list[str]:
    if settings is None:
        return []
    secrets = [settings.telegram_token, settings.api_token, settings.telegram_webhook_secret]
    return [s.get_secret_value() for s in secrets if s is not None]


def _process_fields(process: str) -> Processor:
    def add(_logger: WrappedLogger, _method: str, event_dict: MutableMapping[str, Any]) -> EventDict:
        event_dict.setdefault("process", process)
        event_dict.setdefault("pid", os.getpid())  # read per line: prefork children log under their own pid
        return event_dict

    return add


def _drop_stdlib_internals(_logger: WrappedLogger, _method: str, event_dict: EventDict) -> EventDict:
    event_dict.pop("_record", None)
    event_dict.pop("_from_structlog", None)
    return event_dict


def _log_uncaught(kind: type[BaseException], error: BaseException, trace: TracebackType | None) -> None:
    logging.getLogger("uncaught").critical("uncaught %s", kind.__name__, exc_info=(kind, error, trace))


def configure_logging(
    settings: Settings | None = None, *, process: str, level: str | int = "INFO", stream: TextIO | None = None
) -> None:
    """JSON lines on ``stream`` (stderr) for structlog and the standard library alike; safe to call again."""
    shared: list[Processor] = [
        structlog.contextvars.merge_contextvars,
        structlog.stdlib.add_logger_name,
        structlog.stdlib.add_log_level,
        structlog.stdlib.PositionalArgumentsFormatter(),
        structlog.processors.TimeStamper(fmt="iso", utc=True),
        _process_fields(process),
    ]
    formatter = structlog.stdlib.ProcessorFormatter(
        foreign_pre_chain=shared,
        processors=[
            _drop_stdlib_internals,
            structlog.processors.format_exc_info,
            Redact(settings_secrets(settings)),
            structlog.processors.JSONRenderer(default=repr),
        ],
    )
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.setFormatter(formatter)
    root = logging.getLogger()
    for old in list(root.handlers):
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(level)
    for noisy in ("httpx", "httpcore", "alembic"):  # one line per Bot API poll, per schema check; failures show
        logging.getLogger(noisy).setLevel(logging.WARNING)
    logging.captureWarnings(True)  # warnings.warn (Celery's, for one) become log lines too
    sys.excepthook = _log_uncaught
    for own in ("uvicorn", "uvicorn.error", "uvicorn.access"):  # uvicorn's loggers write through ours
        logging.getLogger(own).handlers.clear()
        logging.getLogger(own).propagate = True
    # Celery's pool (billiard) logs, e.g. a pool process that died, to "multiprocessing" and sets it not to
    # propagate; without a handler of its own, Python's last resort printed those lines as bare text.
    pool = logging.getLogger("multiprocessing")
    pool.handlers[:] = [handler]
    pool.setLevel(logging.WARNING)  # as Celery's own setup has it: its debug and info lines are chatter
    structlog.configure(
        processors=[structlog.stdlib.filter_by_level, *shared, structlog.stdlib.ProcessorFormatter.wrap_for_formatter],
        logger_factory=structlog.stdlib.LoggerFactory(),
        wrapper_class=structlog.stdlib.BoundLogger,
        cache_logger_on_first_use=True,
    )
