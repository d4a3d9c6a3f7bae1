"""docker-compose.yml is valid Compose (checked against the Compose Specification's schema)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml
from jsonschema import Draft7Validator

ROOT = Path(__file__).resolve().parent.parent
SCHEMA = ROOT.parent / "shared" / "compose-spec.json"


@pytest.mark.skipif(not SCHEMA.exists(), reason="the Compose schema is not beside the checkout")
def test_docker_compose_file_is_valid_compose() -> None:
    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    document = yaml.safe_load((ROOT / "docker-compose.yml").read_text(encoding="utf-8"))
    errors = [
        f"{'/'.join(map(str, error.absolute_path))}: {error.message}"
        for error in Draft7Validator(schema).iter_errors(document)
    ]
    assert errors == []


def test_every_service_of_compose_has_a_healthcheck() -> None:
    document = yaml.safe_load((ROOT / "docker-compose.yml").read_text(encoding="utf-8"))
    one_shot = {
        name for name, service in document["services"].items() if service.get("restart") == "no"
    }
    missing = [
        name
        for name, service in document["services"].items()
        if name not in one_shot and "healthcheck" not in service
    ]
    assert missing == []
