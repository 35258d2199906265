"""Schema migrations (Alembic), and the guard that stops a process on an unmigrated database."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine

ROOT = Path(__file__).resolve().parent.parent


class SchemaOutOfDate(RuntimeError):
    """The database is not at the newest migration."""


def alembic_config(url: str) -> Config:
    config = Config(str(ROOT / "alembic.ini"))
    config.set_main_option("script_location", str(ROOT / "migrations"))
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


def upgrade(url: str) -> None:
    """Bring the database at ``url`` to the newest revision."""
    command.upgrade(alembic_config(url), "head")


def require_current(engine: Engine) -> None:
    """Raise SchemaOutOfDate, naming the command to run, unless the schema is at head."""
    head = ScriptDirectory.from_config(alembic_config(str(engine.url))).get_current_head()
    with engine.connect() as connection:
        current = MigrationContext.configure(connection).get_current_revision()
    if current != head:
        raise SchemaOutOfDate(f"database schema is at {current or 'nothing'}, code needs {head}: run `make migrate`")
