"""Run ASGI apps (the sandbox, a service) in the test's event loop on a real port."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import httpx
import uvicorn
from fastapi import FastAPI

from libs.cli.infra import free_port


@asynccontextmanager
async def serve_app(app: FastAPI, *, port: int | None = None, ready_path: str | None = "/readyz",
                    timeout_s: float = 60.0) -> AsyncIterator[str]:
    port = port or free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_config=None, lifespan="on"))
    task = asyncio.create_task(server.serve())
    url = f"http://127.0.0.1:{port}"
    try:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout_s
        while not server.started:
            if task.done():
                task.result()
                raise RuntimeError(f"server on {url} exited during start-up")
            if loop.time() > deadline:
                raise TimeoutError(f"server on {url} did not start in {timeout_s}s")
            await asyncio.sleep(0.02)
        if ready_path:
            async with httpx.AsyncClient() as client:
                while (await client.get(url + ready_path)).status_code != 200:
                    if loop.time() > deadline:
                        raise TimeoutError(f"{url}{ready_path} not ready in {timeout_s}s")
                    await asyncio.sleep(0.05)
        yield url
    finally:
        server.should_exit = True
        try:
            await asyncio.wait_for(task, timeout=15)
        except (TimeoutError, asyncio.CancelledError):
            task.cancel()
