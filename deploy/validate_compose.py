"""Validate docker-compose.yml against the Compose Specification JSON schema.

Usage: python deploy/validate_compose.py [SCHEMA] [--compose FILE]

Checks structure only: `${VAR:-default}` interpolation is left as written,
which the schema accepts wherever a string is allowed.
"""

import argparse
import json
import sys
from pathlib import Path
from typing import Any

import yaml
from jsonschema import Draft7Validator, ValidationError, validators

REPO_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_SCHEMA = REPO_ROOT.parent / "shared" / "compose-spec.json"
DEFAULT_COMPOSE = REPO_ROOT / "docker-compose.yml"


def load_yaml(path: Path) -> Any:
    with path.open(encoding="utf-8") as stream:
        return yaml.safe_load(stream)


def load_json(path: Path) -> Any:
    with path.open(encoding="utf-8") as stream:
        return json.load(stream)


def schema_errors(document: Any, schema: dict[str, Any]) -> list[ValidationError]:
    # The validator class follows the schema's $schema, Draft 7 when absent.
    validator_class = validators.validator_for(schema, default=Draft7Validator)
    validator_class.check_schema(schema)
    errors = validator_class(schema).iter_errors(document)
    return sorted(errors, key=lambda error: list(map(str, error.absolute_path)))


def describe(error: ValidationError) -> str:
    location = "/".join(map(str, error.absolute_path)) or "<root>"
    return f"{location}: {error.message}"


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description="Validate a compose file against the Compose schema."
    )
    parser.add_argument("schema", nargs="?", type=Path, default=DEFAULT_SCHEMA)
    parser.add_argument("--compose", type=Path, default=DEFAULT_COMPOSE)
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    errors = schema_errors(load_yaml(args.compose), load_json(args.schema))
    for error in errors:
        print(describe(error), file=sys.stderr)
    if errors:
        print(f"{args.compose}: {len(errors)} error(s)", file=sys.stderr)
        return 1
    print(f"{args.compose}: OK")
    return 0


if __name__ == "__main__":
    sys.exit(main())
