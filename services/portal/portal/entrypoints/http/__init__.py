"""The portal's pages, one module per part of the guide; `routes` holds them all."""

from portal.entrypoints.http import (  # noqa: F401  (each module adds its pages to `routes`)
    compte,
    documents,
    home,
    inscription,
    inscriptions,
    justificatifs,
)
from portal.entrypoints.http._routes import routes

__all__ = ["routes"]
