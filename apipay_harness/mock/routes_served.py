"""``GET /_control/status``: which API version this mock serves, and with which faults and variants."""

from __future__ import annotations

from starlette.requests import Request

from apipay_harness.mock.jsonio import JSONResponse
from apipay_harness.mock.router import route

__all__ = ["ROUTES"]


async def _served(request: Request) -> JSONResponse:
    """The version served (a client picks its spec by it) and the faults and variants switched on."""
    return JSONResponse(
        {
            "api_version": request.app.state.profile.version,
            "faults": list(request.app.state.fault_names),
            "variants": list(request.app.state.variant_names),
        }
    )


ROUTES = [route("/status", get=_served)]
