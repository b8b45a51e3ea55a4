"""The console's client of the services' admin APIs, calling as the signed-in operator.

Every call presents the operator's own admin credential (kept in their session, never in a page, a
log line or an error), so a service's audit trail and logs name the same caller as the CLI would.
An error answer becomes :class:`ServiceError` with the service's own code and message, worded as the
CLI words it (:mod:`libs.common.admin_errors`).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import httpx

from libs.common.admin_errors import error_of, no_answer, unreachable


class ServiceError(Exception):
    """A service said no, or could not be reached: shown to the operator as ``message (code)``."""

    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(f"{message} ({code})")
        self.status = status
        self.code = code
        self.message = message

    @property
    def shown(self) -> str:
        return f"{self.message} ({self.code})"


class Services:
    """One HTTP connection pool to every service's admin API, shared by all sessions."""

    def __init__(self, urls: Mapping[str, str], *, timeout_s: float = 15.0,
                 transport: httpx.AsyncBaseTransport | None = None) -> None:
        self.urls = dict(urls)
        self._http = httpx.AsyncClient(timeout=timeout_s, transport=transport,
                                       headers={"Accept": "application/json", "User-Agent": "ttshop-console"})

    async def close(self) -> None:
        await self._http.aclose()

    def as_operator(self, credential: str) -> Api:
        return Api(self, credential)

    async def send(self, credential: str | None, service: str, method: str, path: str, *,
                   json_body: Any = None, params: Mapping[str, Any] | None = None,
                   files: Any = None) -> httpx.Response:
        base = self.urls[service]
        headers = {"Authorization": f"Bearer {credential}"} if credential else {}
        clean = {k: v for k, v in (params or {}).items() if v not in (None, "")}
        try:
            return await self._http.request(method, base + path, json=json_body, params=clean or None,
                                            headers=headers, files=files)
        except httpx.ConnectError as exc:
            raise ServiceError(503, "unreachable", unreachable(service, base)) from exc
        except httpx.TimeoutException as exc:
            raise ServiceError(504, "timeout", no_answer(service, base, exc)) from exc


def decoded(service: str, response: httpx.Response) -> Any:
    """The JSON body of a 2xx answer; :class:`ServiceError` for an error answer."""
    try:
        body = response.json() if response.content else None
    except ValueError:
        body = None
    if response.is_success:
        return body
    code, message = error_of(service, response.status_code, body, response.text)
    raise ServiceError(response.status_code, code, message)


class Api:
    """The admin APIs as one signed-in operator."""

    def __init__(self, services: Services, credential: str) -> None:
        self._services = services
        self._credential = credential

    async def request(self, service: str, method: str, path: str, *, json_body: Any = None,
                      params: Mapping[str, Any] | None = None) -> Any:
        response = await self._services.send(self._credential, service, method, path,
                                             json_body=json_body, params=params)
        return decoded(service, response)

    async def get(self, service: str, path: str, **params: Any) -> Any:
        return await self.request(service, "GET", path, params=params)

    async def post(self, service: str, path: str, body: Any = None, **params: Any) -> Any:
        return await self.request(service, "POST", path, json_body=body if body is not None else {}, params=params)

    async def patch(self, service: str, path: str, body: Any) -> Any:
        return await self.request(service, "PATCH", path, json_body=body)

    async def raw(self, service: str, path: str) -> httpx.Response:
        """A GET whose answer is not JSON (an image): the response as it came."""
        return await self._services.send(self._credential, service, "GET", path)
