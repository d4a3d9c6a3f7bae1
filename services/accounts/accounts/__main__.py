"""python -m accounts: the accounts service."""

from accounts.app import build_app
from shared.service import run

run(build_app)
