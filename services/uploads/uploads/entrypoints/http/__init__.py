"""HTTP entrypoints, one module per resource; `api` serves them all, with the dead letters of
the candidature consumer, and turns the service's refusals into problems (`problems.py`)."""

from __future__ import annotations

from shared.bus.admin import dead_letter_api
from shared.http.api import Api
from uploads.entrypoints.http import back_office, me, rules
from uploads.entrypoints.problems import PROBLEMS

api = Api(problems=PROBLEMS)
api.include(me.api)
api.include(back_office.api)
api.include(rules.api)
api.include(dead_letter_api())

__all__ = ["api"]
