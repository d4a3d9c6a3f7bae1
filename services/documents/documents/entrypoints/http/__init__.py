"""HTTP entrypoints, one module per resource; `api` serves them all, with the dead letters of
the candidature consumer, and turns the service's refusals into problems (`problems.py`)."""

from __future__ import annotations

from documents.entrypoints.http import formulaires, gestion, me, render_jobs, verification
from documents.entrypoints.problems import PROBLEMS
from shared.bus.admin import dead_letter_api
from shared.http.api import Api

api = Api(problems=PROBLEMS)
api.include(me.api)
api.include(gestion.api)
api.include(verification.api)
api.include(formulaires.api)
api.include(render_jobs.api)
api.include(dead_letter_api())

__all__ = ["api"]
