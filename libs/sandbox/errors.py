"""Response envelope and the error codes the sandbox answers with.

HTTP status policy (one place, easy to change):

* success and business/parameter errors: HTTP 200 with ``code != 0`` (as TikTok does);
* access-token errors (105002 expired, 36009004 invalid access token): HTTP 401;
* rate limit (36009002): HTTP 429; injected faults: HTTP 500/503 with 36009003;
* the control API (``/sandbox/...``) uses 400/404 for bad input, with the same envelope.

Codes TikTok documents are used as documented (see TIKTOK_API.md). Where TikTok's code is not
known the sandbox picks one and names it here (marked *sandbox choice*).
"""

from __future__ import annotations

import itertools
import os
import time
from typing import Any

from fastapi.responses import JSONResponse

OK = 0
TOKEN_EXPIRED = 105002
SIGN_INVALID = 106001
SHOP_CIPHER_MISSING = 106013
BAD_COMMON_PARAM = 36009004
#: Invalid request parameters (page_size out of range, bad page_token, too many ids, bad JSON):
#: *sandbox choice*, same code as bad common parameters.
PARAM_INVALID = 36009004
TOO_MANY_REQUESTS = 36009002
INTERNAL_ERROR = 36009003
REFRESH_TOKEN_INVALID = 36004001
#: Auth code unknown, already used or older than 30 minutes: *sandbox choice*.
AUTH_CODE_INVALID = 36004004
#: Order id unknown or not in this shop: *sandbox choice*.
ORDER_NOT_FOUND = 21001001
#: Order status does not allow shipping (UNPAID, ON_HOLD, CANCELLED, ...): *sandbox choice*.
ORDER_STATUS_NOT_SHIPPABLE = 21011001
#: shipping_provider_id is not one the delivery option offers: *sandbox choice*.
SHIPPING_PROVIDER_INVALID = 21011004
#: A line item id does not belong to the order: *sandbox choice*.
LINE_ITEM_NOT_FOUND = 21011005
DUPLICATE_TRACKING = 21011025
ALREADY_SHIPPED = 21011040
#: Warehouse or delivery option unknown for this shop: *sandbox choice*.
LOGISTICS_NOT_FOUND = 21003001

_counter = itertools.count()
_node = os.urandom(3).hex().upper()


def new_request_id() -> str:
    """Unique per response, shaped like TikTok's (time prefix + random + counter)."""
    return f"{time.strftime('%Y%m%d%H%M%S', time.gmtime())}{_node}{next(_counter):010d}"


class SandboxError(Exception):
    """An error answered with the envelope: ``code`` and a message a developer can act on."""

    def __init__(self, code: int, message: str, *, http_status: int = 200) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.http_status = http_status


def envelope(
    data: Any = None, *, code: int = OK, message: str = "Success", status: int = 200
) -> JSONResponse:
    body = {
        "code": code,
        "message": message,
        "request_id": new_request_id(),
        "data": data if data is not None else {},
    }
    return JSONResponse(body, status_code=status)


def error_response(error: SandboxError) -> JSONResponse:
    return envelope(None, code=error.code, message=error.message, status=error.http_status)
