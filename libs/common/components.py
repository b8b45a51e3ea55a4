"""What a service builds once it has started (TikTok clients, use cases, workers), kept in one place, so the
admin API, the after-commit hooks and the tests find them one way, and "not started yet" is handled one way:
a request that comes before they exist is answered 503 ``not_ready`` by the shared handler; a wake-up that
comes before a worker exists is dropped (its first pass looks anyway).

A service's ``app.py`` registers factories with ``runtime.provide(name, factory)`` and
``runtime.add_worker(name, factory)``; the runtime builds them in order once the pool, the producer and the
http client exist, before the consumers start. Routers reach them with :func:`libs.common.web.component`.
"""

from __future__ import annotations

from typing import Any, Protocol

from libs.common.refusals import NotStarted


class Wakeable(Protocol):
    def wake(self) -> None: ...


class Components:
    def __init__(self, service: str) -> None:
        self._service = service
        self._built: dict[str, Any] = {}

    def put(self, name: str, value: Any) -> None:
        self._built[name] = value

    def get(self, name: str) -> Any:
        try:
            return self._built[name]
        except KeyError:
            raise NotStarted("not_ready", f"the {self._service} service is still starting; retry in a moment") from None

    def wake(self, *names: str) -> None:
        """Wake the named workers that exist (a worker not built yet will look on its first pass anyway)."""
        for name in names:
            worker: Wakeable | None = self._built.get(name)
            if worker is not None:
                worker.wake()

    def clear(self) -> None:
        self._built.clear()
