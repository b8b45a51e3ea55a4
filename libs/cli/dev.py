"""`ttshop dev`: the whole system on one machine — embedded Postgres and broker, the sandbox and
the four services — until Ctrl-C, then everything is stopped (children first, then infrastructure).
"""

from __future__ import annotations

import asyncio
import os
import re
import signal
import time
from collections.abc import Mapping
from contextlib import ExitStack
from dataclasses import dataclass
from types import FrameType

import asyncpg
import typer
from aiokafka.errors import KafkaError
from rich.table import Table

from libs.common.db_roles import BootstrapError
from libs.common.topics import LOCAL_LAYOUT, Outcome
from libs.common.topics import ensure as ensure_contract_topics

from . import leftovers
from .client import console, emit_json, fail, wants_json
from .database import bootstrap_local
from .devenv import SERVICE_DEFAULTS, StackCredentials, dev_env_path, local_secrets, write_dev_env
from .infra import (
    DEFAULT_BROKER_PORT,
    EmbeddedBroker,
    EmbeddedPostgres,
    InfraError,
    ProcessSupervisor,
    port_is_free,
    project_root,
    state_dir,
)

SERVICES = ("auth", "catalog", "orders", "fulfillment")
#: The operator's web console (libs/console): a client of the services' admin APIs, started after them.
CONSOLE = "console"


@dataclass
class Row:
    component: str
    address: str
    log: str
    pid: int | None


def _port(service: str, offset: int) -> int:
    return int(SERVICE_DEFAULTS[service].rsplit(":", 1)[1]) + offset


def _redact(dsn: str) -> str:
    return re.sub(r"(://[^:/@]+:)[^@]+@", r"\1***@", dsn)


def _check_ports(ports: dict[str, int]) -> None:
    for what, port in ports.items():
        if not port_is_free(port):
            fail(
                f"port {port} ({what}) is already in use. Stop whatever listens there "
                f"(a previous `ttshop dev`?) or run `ttshop dev --port-offset 10`."
            )


def _raise_interrupt(signum: int, frame: FrameType | None) -> None:
    raise KeyboardInterrupt


def _ignore_while_stopping(signum: int, frame: FrameType | None) -> None:
    console.print("[yellow]still stopping — please wait[/]")


@dataclass(frozen=True)
class ChildSpec:
    """How one child of the stack is started: its module, environment and readiness probes."""

    name: str
    module: str
    env: dict[str, str]
    url: str
    probes: tuple[str, ...]


def child_specs(wanted: list[str], ports: dict[str, int], urls: dict[str, str], *, dsns: Mapping[str, str],
                bootstrap: str, credentials: StackCredentials, tiktok_url: str | None = None) -> list[ChildSpec]:
    """The sandbox and services in ``wanted``, wired to one database (each service as its own role,
    ``dsns``: service -> DSN), broker and sandbox (the services reach TikTok at ``tiktok_url`` when
    given, e.g. a proxy in front of the sandbox)."""
    tiktok = tiktok_url or urls["sandbox"]
    common = {
        "PYTHONUNBUFFERED": "1",
        "KAFKA_BOOTSTRAP_SERVERS": bootstrap,
        "TIKTOK_API_BASE_URL": tiktok,
        "TIKTOK_AUTH_BASE_URL": tiktok,
        "AUTH_SERVICE_URL": urls["auth"],
    }
    secrets_for = {"auth": local_secrets()}
    specs = []
    for name in wanted:
        if name == CONSOLE:
            specs.append(console_spec(ports[name], urls, bootstrap))
            continue
        module = "libs.sandbox" if name == "sandbox" else f"services.{name}"
        env = dict(common, **{f"{name.upper()}_PORT": str(ports[name])}, **secrets_for.get(name, {}))
        if name == "sandbox":  # no database and no credentials of ours
            env["SANDBOX_WEBHOOK_URL"] = f"{urls['orders']}/webhooks/tiktok"
        else:  # its own database role and credentials (the CLI's is in dev.env)
            env["DATABASE_URL"] = dsns[name]
            env |= credentials.env_for(name)
        # The sandbox has no database or broker to wait for: /healthz is its readiness.
        probes = ("/healthz",) if name == "sandbox" else ("/healthz", "/readyz")
        specs.append(ChildSpec(name, module, env, urls[name], probes))
    return specs


def console_spec(port: int, urls: dict[str, str], bootstrap: str) -> ChildSpec:
    """The console: no database and no credential of its own (the operator signs in with theirs)."""
    env = {"PYTHONUNBUFFERED": "1", "CONSOLE_PORT": str(port), "KAFKA_BOOTSTRAP_SERVERS": bootstrap,
           **{f"{name.upper()}_URL": urls[name] for name in SERVICES}}
    return ChildSpec(CONSOLE, "libs.console", env, urls[CONSOLE], ("/healthz", "/readyz"))


def dev(
    no_services: bool = typer.Option(
        False, "--no-services", help="Start only Postgres, the broker and the sandbox (run services yourself)."
    ),
    no_sandbox: bool = typer.Option(False, "--no-sandbox", help="Do not start the TikTok sandbox."),
    port_offset: int = typer.Option(0, "--port-offset", min=0, max=20000, help="Add N to every default port."),
    ready_timeout: float = typer.Option(90.0, "--ready-timeout", help="Seconds to wait for every /readyz."),
) -> None:
    """Run the whole system locally until Ctrl-C."""
    urls = {name: f"http://127.0.0.1:{_port(name, port_offset)}" for name in SERVICE_DEFAULTS}
    wanted = [] if no_sandbox else ["sandbox"]
    wanted += [] if no_services else [*SERVICES, CONSOLE]
    ports = {name: _port(name, port_offset) for name in wanted}
    external_db = os.environ.get("DATABASE_URL")
    external_kafka = os.environ.get("KAFKA_BOOTSTRAP_SERVERS")
    for stopped in leftovers.reap():
        console.print(f"[yellow]stopped a process left by an earlier `ttshop dev`:[/] {stopped}")
    if not external_kafka:
        ports["Kafka broker"] = DEFAULT_BROKER_PORT + port_offset
    _check_ports(ports)

    previous_term = signal.signal(signal.SIGTERM, _raise_interrupt)  # `kill` stops as cleanly as Ctrl-C
    error: InfraError | None = None
    try:
        with ExitStack() as stack:
            stack.callback(signal.signal, signal.SIGINT, signal.getsignal(signal.SIGINT))
            try:
                _run(stack, wanted, ports, urls, external_db, external_kafka, port_offset, ready_timeout)
            except KeyboardInterrupt:
                console.print("stopping …")
            except InfraError as exc:
                error = exc
            finally:
                # A second Ctrl-C must not cut the clean-up short and leave orphans behind.
                signal.signal(signal.SIGINT, _ignore_while_stopping)
                signal.signal(signal.SIGTERM, _ignore_while_stopping)
    finally:
        signal.signal(signal.SIGTERM, previous_term)
    if error is not None:
        fail(f"{error}\nEverything that was started has been stopped.")
    console.print("stopped.")


def _run(
    stack: ExitStack,
    wanted: list[str],
    ports: dict[str, int],
    urls: dict[str, str],
    external_db: str | None,
    external_kafka: str | None,
    port_offset: int,
    ready_timeout: float,
) -> None:
    """Start everything on ``stack`` (closed in reverse: children, broker, Postgres), then wait."""
    home = state_dir()
    logs = home / "logs"
    stack.callback(leftovers.clear)  # runs last: everything below has been stopped by then
    rows: list[Row] = []
    started = time.monotonic()
    if external_db:
        dsn = external_db
        rows.append(Row("postgres (DATABASE_URL)", _redact(dsn), "-", None))
    else:
        console.print(f"starting embedded PostgreSQL in {home / 'pgdata'} …")
        pg = stack.enter_context(EmbeddedPostgres(home / "pgdata"))
        leftovers.record(pg.pid)
        dsn = pg.dsn
        rows.append(Row("postgres (embedded)", dsn, str(pg.log_path), pg.pid))
    if external_kafka:
        bootstrap = external_kafka
        rows.append(Row("kafka (KAFKA_BOOTSTRAP_SERVERS)", bootstrap, "-", None))
    else:
        console.print("starting embedded Kafka-protocol broker (Tansu) …")
        broker = stack.enter_context(EmbeddedBroker(DEFAULT_BROKER_PORT + port_offset, log_path=logs / "broker.log"))
        bootstrap = broker.bootstrap_servers
        leftovers.record(broker.pid)
        rows.append(Row("kafka (embedded Tansu)", bootstrap, str(broker.log_path), broker.pid))

    dsns = _bootstrap_roles(dsn)
    _ensure_topics(bootstrap)
    credentials = StackCredentials()
    supervisor = stack.enter_context(ProcessSupervisor(logs))
    for child in child_specs(wanted, ports, urls, dsns=dsns, bootstrap=bootstrap, credentials=credentials):
        proc = supervisor.start(child.name, child.module, env=child.env, url=child.url, probes=child.probes,
                                cwd=project_root())
        leftovers.record(proc.pid)
        rows.append(Row(child.name, child.url, str(proc.log_path), proc.pid))
    console.print(f"waiting for {', '.join(wanted) or 'nothing'} to be ready …")
    asyncio.run(supervisor.wait_all_healthy(
        ready_timeout, lambda proc, secs: console.print(f"  {proc.name} ready ({secs:.1f}s)")
    ))

    dev_env = {f"{name.upper()}_URL": url for name, url in urls.items()}
    dev_env |= {"DATABASE_URL": dsn, "KAFKA_BOOTSTRAP_SERVERS": bootstrap, "ADMIN_API_TOKEN": credentials.cli}
    path = write_dev_env(dev_env)
    stack.callback(path.unlink, missing_ok=True)
    _print_table(rows, time.monotonic() - started)
    while True:
        supervisor.check_alive()
        time.sleep(0.5)


def _bootstrap_roles(admin_dsn: str) -> dict[str, str]:
    """Each service's own role and schema (`ttshop db bootstrap`) before any service starts; returns
    service -> the DSN it connects with."""
    console.print("setting up the services' database roles …")
    try:
        dsns, report = asyncio.run(bootstrap_local(admin_dsn))
    except (BootstrapError, ValueError, OSError, asyncpg.PostgresError) as exc:
        raise InfraError(f"database roles could not be set up on {_redact(admin_dsn)}: {exc}") from exc
    for line in report.changes:
        console.print(f"  {line}")
    return dsns


def _ensure_topics(bootstrap: str) -> None:
    """Every contract topic and its DLQ, laid out for one broker (`ttshop topics ensure --local`), before any
    service starts, as the deploy one-shot does in production."""
    console.print("creating the topics …")
    try:
        report = asyncio.run(ensure_contract_topics(bootstrap, LOCAL_LAYOUT))
    except (KafkaError, OSError) as exc:
        raise InfraError(f"topics could not be created on {bootstrap}: {type(exc).__name__}: {exc}") from exc
    if not report.ok():
        failed = "; ".join(f"{r.topic}: {r.detail}" for r in report.with_outcome(Outcome.FAILED))
        raise InfraError(f"topics could not be created on {bootstrap}: {failed}")
    console.print(f"  {report.summary()}")


def _print_table(rows: list[Row], elapsed: float) -> None:
    if wants_json():  # what runs where, once ready; the progress went to stderr
        emit_json({"ready_in_s": round(elapsed, 1), "dev_env": str(dev_env_path()),
                   "components": [vars(row) for row in rows]})
        return
    table = Table(title=f"ttshop dev — ready in {elapsed:.1f}s", title_justify="left")
    for column in ("component", "URL / address", "log file", "pid"):
        table.add_column(column, overflow="fold")
    for row in rows:
        table.add_row(row.component, row.address, row.log, str(row.pid or "-"))
    console.print(table)
    console.print(f"connection settings for other shells: {dev_env_path()} (mode 0600)")
    if any(row.component == CONSOLE for row in rows):
        console.print(f"operator console: sign in with ADMIN_API_TOKEN from {dev_env_path()}")
    console.print("press Ctrl-C to stop everything")


def register(app: typer.Typer) -> None:
    app.command("dev")(dev)
