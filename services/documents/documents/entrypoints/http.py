"""The documents API: Mes documents (candidat), and the dead-letter admin routes."""

from __future__ import annotations

from documents.entrypoints.problems import PROBLEMS
from shared.bus.admin import dead_letter_api
from shared.http.api import Api

api = Api(problems=PROBLEMS)
api.include(dead_letter_api())
