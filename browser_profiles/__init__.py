"""Browser profiles: how the farm's Chromium presents itself. Runtime storage lives in ``storage/``."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from pathlib import Path

PROFILES_DIR = Path(__file__).resolve().parent
STORAGE_DIR = PROFILES_DIR / "storage"


@dataclass(frozen=True)
class Profile:
    name: str
    locale: str
    timezone_id: str
    viewport_width: int
    viewport_height: int
    user_agent: str  # a template: {chrome} and {contact} are filled in at launch

    def user_agent_for(self, *, chrome_version: str, contact: str) -> str:
        return self.user_agent.format(chrome=chrome_version, contact=contact)


def load_profile(name: str = "default") -> Profile:
    """Read ``<name>.toml`` from this folder."""
    data = tomllib.loads((PROFILES_DIR / f"{name}.toml").read_text(encoding="utf-8"))
    return Profile(
        name=name,
        locale=data["locale"],
        timezone_id=data["timezone_id"],
        viewport_width=data["viewport"]["width"],
        viewport_height=data["viewport"]["height"],
        user_agent=data["user_agent"],
    )
