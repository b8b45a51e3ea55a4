"""The admin APIs' edge: a path or query parameter PostgreSQL could not store is refused before any route
runs (422 naming the parameter), so no lookup sends it to the database and answers 500.

Request bodies are checked by their models (``libs.common.limits`` types) and product records by the product
file rules; this covers the parameters every route takes as plain text.
"""

from __future__ import annotations

from fastapi import Request

from libs.common.limits import unstorable
from libs.common.web import ApiError


async def storable_parameters(request: Request) -> None:
    """A FastAPI dependency for the whole app: every path and query parameter without a NUL."""
    for name, value in [*request.path_params.items(), *request.query_params.multi_items()]:
        problem = unstorable(value) if isinstance(value, str) else None
        if problem is not None:
            raise ApiError(422, "invalid_request", f"{name}: {problem}")
