"""What every service process has: pool + migrations, producer + outbox relay, consumer group,
one httpx client, background loops, and an admin HTTP app with /healthz and /readyz.

A service's ``app.py`` builds a :class:`ServiceRuntime`, registers its routes, consumers and loops,
and calls :func:`serve`. Nothing connects at import time; everything starts in the lifespan.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import asyncpg
import httpx
import structlog
import uvicorn
from fastapi import Depends, FastAPI, Request
from faststream.kafka import KafkaBroker
from pydantic import BaseModel

from libs.common.components import Components
from libs.common.consumer import BatchHandler, EventConsumer, Handler
from libs.common.credentials import Credentials
from libs.common.db import Migration, common_migrations, create_pool, migrate
from libs.common.events import TOPICS, CloudEvent, dlq_topic
from libs.common.events.shops import ShopConnected, ShopDisconnected, ShopSettingsChanged
from libs.common.kafka import KafkaPublisher, ensure_topics
from libs.common.logging import configure_logging
from libs.common.metrics import Collector, Query, ScrapedGauge, bind_service, from_database, install_metrics
from libs.common.outbox import OutboxRelay
from libs.common.request_id import install_request_id
from libs.common.retention import INBOX, Kept, prune
from libs.common.settings import ServiceSettings
from libs.common.status import router as status_router
from libs.common.web import install_error_handlers, protect_admin_api
from libs.common.web_limits import storable_parameters
from libs.common.worker import Every

log = structlog.get_logger(__name__)

Loop = Callable[["ServiceRuntime"], Awaitable[None]]
Factory = Callable[["ServiceRuntime"], Any]
ShopObserver = Callable[[ShopConnected | ShopSettingsChanged | ShopDisconnected], None]


@dataclass
class ServiceRuntime:
    settings: ServiceSettings
    migrations: list[Migration]
    consumers: list[tuple[str, Sequence[str], Handler]] = field(default_factory=list)
    batch_consumers: list[tuple[str, Sequence[str], BatchHandler]] = field(default_factory=list)
    loops: list[tuple[str, Loop]] = field(default_factory=list)
    startup: list[Loop] = field(default_factory=list)
    after_commit_hooks: list[Callable[[], None]] = field(default_factory=list)
    shop_observers: list[ShopObserver] = field(default_factory=list)
    pool: asyncpg.Pool | None = None
    publisher: KafkaPublisher | None = None
    relay: OutboxRelay | None = None
    consumer: EventConsumer | None = None
    broker: KafkaBroker | None = None
    http: httpx.AsyncClient | None = None
    ready: bool = False
    components: Components = field(init=False)
    factories: list[tuple[str, Factory, bool]] = field(default_factory=list)
    collectors: list[Collector] = field(default_factory=list)
    #: Tables of records kept only to recognise repeats, pruned by age (libs/common/retention.py).
    kept: list[Kept] = field(default_factory=lambda: [INBOX])
    _tasks: list[asyncio.Task[None]] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.components = Components(self.settings.service_name)

    @property
    def source(self) -> str:
        return f"ttshop/{self.settings.service_name}"

    def subscribe(self, topic: str, event_types: Sequence[str], handler: Handler) -> None:
        self.consumers.append((topic, event_types, handler))

    def subscribe_batch(self, topic: str, event_types: Sequence[str], handler: BatchHandler) -> None:
        """``handler`` receives every fresh event of these types in one poll at once, inside its transaction."""
        self.batch_consumers.append((topic, event_types, handler))

    def add_loop(self, name: str, loop: Loop) -> None:
        self.loops.append((name, loop))

    def provide(self, name: str, factory: Factory) -> None:
        """Build ``factory(runtime)`` at start (in the order provided, after the ``on_start`` hooks) and keep it
        as component ``name`` (``runtime.components.get(name)``; routers: ``libs.common.web.component``)."""
        self.factories.append((name, factory, False))

    def add_worker(self, name: str, factory: Factory) -> None:
        """Like :meth:`provide`, and run the built worker's ``run()`` as background loop ``name`` once the
        consumers are up; ``runtime.components.wake(name)`` wakes it."""
        self.factories.append((name, factory, True))

    def keep_for_repeats(self, table: Kept) -> None:
        """``table`` holds records kept only to recognise a repeat (e.g. the TikTok notifications acted on):
        the retention pass deletes its finished rows after ``<SERVICE>_RETENTION_DAYS``, like the inbox's."""
        self.kept.append(table)

    async def prune_kept(self) -> dict[str, int]:
        """One retention pass over every kept table (the ``retention`` loop runs it each interval)."""
        removed = await prune(self.db(), self.kept, keep_s=self.settings.retention_days * 86_400)
        if any(removed.values()):
            log.info("retention.pruned", **removed, older_than_days=self.settings.retention_days)
        return removed

    def on_start(self, hook: Loop) -> None:
        """Run ``hook(runtime)`` once the pool, producer and http client exist, before consumers and loops."""
        self.startup.append(hook)

    def on_after_commit(self, hook: Callable[[], None]) -> None:
        """Call ``hook()`` after each consumer transaction commits (e.g. wake a worker); keep it cheap."""
        self.after_commit_hooks.append(hook)

    def observe_shops(self, observer: ShopObserver) -> None:
        """Call ``observer(data)`` for every event this service consumes from ``shops.changed`` (e.g. the
        token provider drops a re-authorised shop's cached token). It runs in the consumer, before the
        commit, so it must be cheap and harmless to repeat."""
        self.shop_observers.append(observer)

    def collect(self, gauge: ScrapedGauge, query: Query, **labels: str) -> None:
        """At each ``/metrics`` scrape set ``gauge`` (one of ``libs.common.metrics``) from ``query(conn)``: its
        value per label values (besides ``service`` and the fixed ``labels``)."""
        self.collectors.append(from_database(self, gauge, query, **labels))

    def _observed(self, handler: Handler) -> Handler:
        async def observed(conn: asyncpg.Connection, event: CloudEvent, data: BaseModel) -> None:
            await handler(conn, event, data)
            if isinstance(data, ShopConnected | ShopSettingsChanged | ShopDisconnected):
                for observer in self.shop_observers:
                    observer(data)

        return observed

    def _after_commit(self) -> None:
        self.wake_relay()
        for hook in self.after_commit_hooks:
            try:
                hook()
            except Exception:
                log.exception("after-commit hook failed")

    def db(self) -> asyncpg.Pool:
        if self.pool is None:
            raise RuntimeError("database pool not started")
        return self.pool

    def wake_relay(self) -> None:
        if self.relay is not None:
            self.relay.wake()

    async def start(self) -> None:
        s = self.settings
        if not s.database_url:
            raise RuntimeError("DATABASE_URL is not set (use `ttshop dev` for an embedded database)")
        self.pool = await create_pool(s.database_url, schema=s.db_schema, min_size=s.db_pool_min, max_size=s.db_pool_max)
        await migrate(self.pool, schema=s.db_schema, migrations=[*common_migrations(), *self.migrations])
        await ensure_topics(
            s.kafka_bootstrap_servers,
            [*TOPICS, *(dlq_topic(t) for t in TOPICS)],
            partitions=s.kafka_topic_partitions,
            replication_factor=s.kafka_replication_factor,
        )
        self.publisher = KafkaPublisher(
            s.kafka_bootstrap_servers, enable_idempotence=s.kafka_enable_idempotence, client_id=self.source
        )
        await self.publisher.start()
        self.relay = OutboxRelay(
            pool=self.pool,
            publisher=self.publisher,
            schema=s.db_schema,
            batch_size=s.outbox_batch_size,
            idle_poll_s=s.outbox_idle_poll_s,
        )
        self.http = httpx.AsyncClient(timeout=httpx.Timeout(10.0, connect=5.0))
        self._spawn("outbox-relay", self.relay.run())
        for hook in self.startup:
            await hook(self)
        for name, factory, _ in self.factories:
            self.components.put(name, factory(self))
        if self.consumers or self.batch_consumers:
            self.consumer = EventConsumer(
                pool=self.pool,
                publisher=self.publisher,
                group_id=s.consumer_group or f"ttshop-{s.service_name}",
                max_attempts=s.consumer_max_attempts,
                backoff_initial_s=s.consumer_backoff_initial_s,
                backoff_max_s=s.consumer_backoff_max_s,
                after_commit=self._after_commit,
                batch_size=s.consumer_batch_size,
            )
            for topic, types, handler in self.consumers:
                observed = topic == ShopConnected.topic and self.shop_observers
                self.consumer.route(topic, types, self._observed(handler) if observed else handler)
            for topic, types, batch_handler in self.batch_consumers:
                self.consumer.route_batch(topic, types, batch_handler)
            self.broker = KafkaBroker(
                s.kafka_bootstrap_servers, client_id=self.source, logger=logging.getLogger("faststream")
            )
            self.consumer.attach(self.broker)
            await self.broker.start()
        for name, loop in self.loops:
            self._spawn(name, loop(self))
        self._spawn("retention", Every(self.prune_kept, interval_s=s.retention_interval_s).run())
        for name, _, is_worker in self.factories:
            if is_worker:
                self._spawn(name, self.components.get(name).run())
        self.ready = True
        log.info("service started", port=s.port, schema=s.db_schema)

    def _spawn(self, name: str, coro: Awaitable[None]) -> None:
        async def guarded() -> None:
            try:
                await coro
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("background loop crashed", loop=name)
                self.ready = False

        self._tasks.append(asyncio.create_task(guarded(), name=name))

    async def stop(self) -> None:
        self.ready = False
        for task in self._tasks:
            task.cancel()
        for task in self._tasks:
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task
        self._tasks.clear()
        self.components.clear()
        if self.broker is not None:
            await self.broker.stop()
        if self.publisher is not None:
            await self.publisher.stop()
        if self.http is not None:
            await self.http.aclose()
        if self.pool is not None:
            await self.pool.close()

    async def readiness(self) -> dict[str, object]:
        checks: dict[str, object] = {"started": self.ready}
        try:
            async with self.db().acquire() as conn:
                await conn.fetchval("SELECT 1")
            checks["database"] = "ok"
        except Exception as exc:  # noqa: BLE001
            checks["database"] = f"unavailable: {type(exc).__name__}"
        return checks


def create_app(runtime: ServiceRuntime, *, title: str) -> FastAPI:
    @contextlib.asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        bind_service(runtime.settings.service_name)  # the tasks started below count and log for this service
        await runtime.start()
        try:
            yield
        finally:
            await runtime.stop()

    app = FastAPI(title=title, lifespan=lifespan, dependencies=[Depends(storable_parameters)])
    app.state.runtime = runtime
    install_error_handlers(app)
    protect_admin_api(app, Credentials.parse(runtime.settings.admin_api_credentials, setting="ADMIN_API_CREDENTIALS"),
                      open_metrics=not runtime.settings.metrics_require_credential)
    install_request_id(app, runtime.settings.service_name)
    install_metrics(app, runtime)
    app.include_router(status_router)  # GET /status for `ttshop status` (libs/common/status.py)

    @app.get("/healthz")
    async def healthz() -> dict[str, str]:
        return {"status": "ok"}

    @app.get("/whoami")
    async def whoami(request: Request) -> dict[str, str | None]:
        """Which ``ADMIN_API_CREDENTIALS`` caller presented this request's credential (``null`` while the
        admin API is open): how the console checks an operator's sign-in."""
        return {"caller": getattr(request.state, "caller", None), "service": runtime.settings.service_name}

    @app.get("/readyz")
    async def readyz() -> object:
        from fastapi.responses import JSONResponse

        checks = await runtime.readiness()
        ok = checks["started"] is True and checks["database"] == "ok"
        return JSONResponse({"status": "ready" if ok else "not ready", "checks": checks}, status_code=200 if ok else 503)

    return app


def serve(app: FastAPI, settings: ServiceSettings) -> None:
    configure_logging(service=settings.service_name, level=settings.log_level, json=settings.log_json)
    uvicorn.run(app, host=settings.host, port=settings.port, log_config=None, access_log=False)
