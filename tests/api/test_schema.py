"""schemathesis against the running API's own OpenAPI document: no 5xx, every response as documented.

Runs the schemathesis CLI (its pytest plugin does not support this pytest yet) against the API process on
PostgreSQL, with the portal replica serving the catalogue that subscriptions are checked against.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from core.db import make_engine, make_sessionmaker
from launch.farm import start_replica
from launch.processes import ProcessGroup
from tests.api.conftest import TOKEN, api_env, record_error, record_finding, start_api, subscribe

pytestmark = pytest.mark.postgres

SCHEMATHESIS = str(Path(sys.executable).with_name("schemathesis"))
CHECKS = [
    "not_a_server_error",
    "status_code_conformance",
    "content_type_conformance",
    "response_schema_conformance",
    "response_headers_conformance",
    "negative_data_rejection",
]


@pytest.fixture
def api_url(process_group: ProcessGroup, postgres_url: str, private_redis_url: str, evidence_dir: Path) -> str:
    """The API on PostgreSQL with a few checks, and the portal replica for its catalogue."""
    engine = make_engine(postgres_url)
    sessions = make_sessionmaker(engine)
    target = subscribe(sessions, user_id=1)
    record_finding(sessions, evidence_dir, target_id=target)
    record_error(sessions, evidence_dir, target_id=target)
    engine.dispose()
    replica = start_replica(process_group)
    portal = {"MTA_PORTAL_API_URL": f"{replica}/buergeransicht/api/citizen"}
    return start_api(process_group, api_env(postgres_url, private_redis_url, evidence_dir, **portal))


def test_every_operation_answers_as_documented(api_url: str, tmp_path: Path) -> None:
    argv = [
        SCHEMATHESIS,
        "run",
        f"{api_url}/openapi.json",
        "--header",
        f"Authorization: Bearer {TOKEN}",
        "--checks",
        ",".join(CHECKS),
        "--phases",
        "examples,coverage,fuzzing",
        "--max-examples",
        "25",
        "--workers",
        "2",
        "--seed",
        "20300304",
        "--generation-database",
        "none",
        "--no-color",
    ]
    result = subprocess.run(argv, capture_output=True, text=True, timeout=240, cwd=tmp_path, check=False)
    assert result.returncode == 0, result.stdout[-20000:] + result.stderr[-5000:]
