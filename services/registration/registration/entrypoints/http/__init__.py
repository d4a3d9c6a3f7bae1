"""HTTP entrypoints, one module per resource; `api` serves them all, with the dead letters of
the identity consumer, and turns the service's refusals into problems (`problems.py`)."""

from __future__ import annotations

from registration.entrypoints.http import (
    admin_candidatures,
    admin_decisions,
    admin_referentiel,
    amenagements,
    candidatures,
    fenetres,
    identites,
    ouvertures,
    referentiel,
)
from registration.entrypoints.http._common import clear_cache_after_change
from registration.entrypoints.problems import PROBLEMS
from shared.bus.admin import dead_letter_api
from shared.http.api import Api

api = Api(problems=PROBLEMS)
for module in (referentiel, ouvertures, identites, admin_referentiel, fenetres, candidatures):
    api.include(module.api)
api.include(admin_candidatures.api)
api.include(admin_decisions.api)
api.include(amenagements.api)
api.include(dead_letter_api())

__all__ = ["api", "clear_cache_after_change"]
