"""HTTP client of the services' admin APIs, and how its failures are shown to an operator.

Errors come back as ``{"error": {"code", "message"}}`` with a 4xx/5xx status; they are shown as
``Error: <message> (<code>)`` on stderr. Exit codes, the same for every command: 0 ok; 1 refused or failed
(the service said no, it could not be reached or did not answer, a job or a bootstrap failed); 2 usage
(click's own usage errors and our argument checks: :class:`UsageError`).
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, NoReturn

import click
import httpx
import typer
from rich.console import Console

from libs.common.admin_errors import error_of, no_answer, unreachable

from . import devenv

err_console = Console(stderr=True, highlight=False)
console = Console(highlight=False)

EXIT_OK = 0
#: Refused or failed: the service said no, could not be reached or did not answer; a job or step failed.
EXIT_FAILED = 1
#: Bad arguments: click's usage errors and our own argument checks.
EXIT_USAGE = 2
EXIT_API_ERROR = EXIT_FAILED
#: What ``ttshop --help`` says about exit codes (the README's CLI section says the same).
EXIT_CODES_HELP = (
    "Exit codes: 0 ok; 1 refused or failed (an API error, a service or the broker not reachable, a failed job or "
    "bootstrap); 2 usage (bad arguments). Piped (stdout not a terminal), a table is a '# title' line, a header "
    "line, then one row a line, tab-separated, never wrapped; --json prints JSON on every command."
)


class CliError(Exception):
    """Something the operator must be told, with the exit code to leave with."""

    def __init__(self, message: str, exit_code: int = EXIT_API_ERROR) -> None:
        super().__init__(message)
        self.message = message
        self.exit_code = exit_code


class UsageError(CliError):
    """The arguments are wrong (a missing option, two that exclude each other): exit 2, like click's own."""

    def __init__(self, message: str) -> None:
        super().__init__(message, EXIT_USAGE)


class ApiError(CliError):
    """The service answered with an error."""

    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(f"{message} ({code})", EXIT_API_ERROR)
        self.status = status
        self.code = code


@dataclass
class CliState:
    """Per-invocation state hung on the click context (``ctx.obj``).

    Tests pass their own with ``transport=httpx.MockTransport(...)`` and ``env={...}``.
    """

    json_output: bool = False
    transport: httpx.BaseTransport | None = None
    env: Mapping[str, str] | None = None
    timeout_s: float = 30.0
    _clients: dict[str, AdminClient] = field(default_factory=dict)

    def client(self, service: str) -> AdminClient:
        if service not in self._clients:
            token = devenv.lookup("ADMIN_API_TOKEN", None, self.env)  # the CLI's own admin credential
            self._clients[service] = AdminClient(
                service, devenv.service_url(service, self.env), transport=self.transport,
                token=token, timeout_s=self.timeout_s,
            )
        return self._clients[service]


class AdminClient:
    """Synchronous JSON client of one service's admin API."""

    def __init__(
        self,
        service: str,
        base_url: str,
        *,
        transport: httpx.BaseTransport | None = None,
        token: str | None = None,
        timeout_s: float = 30.0,
    ) -> None:
        self.service = service
        self.base_url = base_url.rstrip("/")
        headers = {"Accept": "application/json", "User-Agent": "ttshop-cli"}
        if token:
            headers["Authorization"] = f"Bearer {token}"
        self._http = httpx.Client(
            base_url=self.base_url, transport=transport, headers=headers, timeout=timeout_s
        )

    def _send(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        """One HTTP exchange; a service that cannot be reached or does not answer is a :class:`CliError`."""
        try:
            return self._http.request(method, path, **kwargs)
        except httpx.ConnectError as exc:
            raise CliError(unreachable(self.service, self.base_url), EXIT_FAILED) from exc
        except httpx.TimeoutException as exc:
            raise CliError(no_answer(self.service, self.base_url, exc), EXIT_FAILED) from exc

    def request(
        self, method: str, path: str, *, json_body: Any = None, params: Mapping[str, Any] | None = None
    ) -> Any:
        """Send one request; return the decoded JSON body (None for an empty body)."""
        clean = {k: v for k, v in (params or {}).items() if v is not None}
        return decode_response(self.service, self._send(method, path, json=json_body, params=clean or None))

    def answer(self, path: str) -> tuple[int, Any]:
        """GET ``path`` and return (status, decoded body) whatever the status (a probe such as ``/readyz``)."""
        response = self._send("GET", path)
        try:
            return response.status_code, response.json() if response.content else None
        except ValueError:
            return response.status_code, response.text[:300]

    def get(self, path: str, **params: Any) -> Any:
        return self.request("GET", path, params=params)

    def post(self, path: str, body: Any = None) -> Any:
        return self.request("POST", path, json_body=body if body is not None else {})

    def patch(self, path: str, body: Any) -> Any:
        return self.request("PATCH", path, json_body=body)

    def delete(self, path: str) -> Any:
        return self.request("DELETE", path)

    def upload(self, path: str, files: list[tuple[str, tuple[str, bytes]]]) -> Any:
        """A multipart POST (a product file and the media it names); the decoded JSON answer."""
        timeout = max(self._http.timeout.read or 30.0, 600.0)  # a big catalogue takes a while
        return decode_response(self.service, self._send("POST", path, files=files, timeout=timeout))

    def download(self, path: str, **params: Any) -> bytes:
        """A file the service writes (an export): its bytes, or the service's error."""
        clean = {k: v for k, v in params.items() if v is not None}
        response = self._send("GET", path, params=clean or None)
        if not response.is_success:
            decode_response(self.service, response)  # raises the service's error
        return response.content


def decode_response(service: str, response: httpx.Response) -> Any:
    """The JSON body of a 2xx response; :class:`ApiError` for an error response."""
    try:
        body = response.json() if response.content else None
    except ValueError:
        body = None
    if response.is_success:
        if body is None and response.content:
            raise CliError(f"{service} service sent a response that is not JSON: {response.text[:200]!r}")
        return body
    code, message = error_of(service, response.status_code, body, response.text)
    raise ApiError(response.status_code, code, message)


def fail(message: str, exit_code: int = EXIT_API_ERROR) -> NoReturn:
    err_console.print(f"[bold red]Error:[/] {message}", soft_wrap=True)
    raise typer.Exit(exit_code)


@contextmanager
def reported() -> Iterator[None]:
    """Turn :class:`CliError` into ``Error: …`` on stderr and its exit code."""
    try:
        yield
    except CliError as exc:
        fail(exc.message, exc.exit_code)


def wants_json() -> bool:
    """Whether this invocation asked for ``--json`` (for a command without a context parameter)."""
    ctx = click.get_current_context(silent=True)
    return ctx is not None and state(ctx).json_output


def state(ctx: typer.Context | click.Context) -> CliState:
    obj = ctx.find_root().obj
    if not isinstance(obj, CliState):
        obj = CliState()
        ctx.find_root().obj = obj
    return obj


def adapt_to_output(*, json_output: bool) -> None:
    """Once per invocation: text for people goes to stderr with ``--json`` (stdout holds the JSON alone), and
    is never wrapped when it does not go to a terminal (a pipe, a file)."""
    console.stderr = json_output
    console.soft_wrap = not console.is_terminal


def emit_json(data: Any) -> None:
    """Raw JSON on stdout, for `--json`."""
    print(json.dumps(data, indent=2, sort_keys=True, default=str))
