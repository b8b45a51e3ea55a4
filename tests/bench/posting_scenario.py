"""Bulk post scenario of ``make bench``: N ready products with 3 images each (all different) loaded
through the CLI, then one `ttshop catalog products post --all-ready` job to one shop, measured until the
job is done. The ideal is set by TikTok's rate limits, each endpoint run side by side: uploads ÷ 50 QPS
and creates ÷ 50 QPS (and listing checks ÷ 50 QPS); the figure is the job's time against the largest."""

from __future__ import annotations

import json
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from tests.support.devstack import Stack
from tests.support.shops import listing_shop, ready_products_file

QPS = 50.0

@dataclass
class PostingRun:
    products: int
    images_per_product: int = 3
    job_s: float = 0.0
    posted: int = 0
    failed: int = 0
    uploads: int = 0
    creates: int = 0
    checks: int = 0
    setup: dict[str, float] = field(default_factory=dict)

    @property
    def ideal_s(self) -> float:
        return max(self.uploads, self.creates, self.checks) / QPS

    @property
    def ok(self) -> bool:
        return self.posted == self.products and self.creates == self.products



async def _served(http: httpx.AsyncClient, sandbox: str, path: str) -> int:
    answer = (await http.get(f"{sandbox}/sandbox/requests", params={"path": path})).json()
    return int(answer["data"]["total"])


async def run(stack: Stack, products: int, *, on_measure_start: Callable[[], None] = lambda: None,
              on_measure_end: Callable[[], None] = lambda: None) -> PostingRun:
    result = PostingRun(products)
    sandbox = stack.url("sandbox")
    t = time.monotonic()
    async with httpx.AsyncClient(timeout=60) as http:
        shop_id, category_id, required = await listing_shop(stack, http)
        folder = Path(tempfile.mkdtemp(prefix="ttshop-bench-post-"))
        products_file = ready_products_file(folder, products, category_id=category_id, required=required,
                                            prefix="POST", upc_base=20_000_000)
        result.setup["shop, taxonomy (CLI)"] = time.monotonic() - t
        t = time.monotonic()
        loaded = json.loads(stack.ttshop("--json", "catalog", "products", "upsert", str(products_file),
                                         timeout=1800).stdout)
        result.setup[f"load {products} products with {3 * products} images (CLI)"] = time.monotonic() - t
        if loaded["created"] != products:
            raise RuntimeError(f"load: {loaded['created']} of {products} created: {loaded['problems'][:3]}")
        before = {p: await _served(http, sandbox, p) for p in (
            "/product/202309/images/upload", "/product/202309/products/listing_check")}
        creates_before = await _creates(http, sandbox)
        on_measure_start()
        t = time.monotonic()
        job = json.loads(stack.ttshop("--json", "catalog", "products", "post", "--shop", shop_id, "--all-ready",
                                      "--timeout", "3600", timeout=3700).stdout)
        result.job_s = time.monotonic() - t
        on_measure_end()
        result.posted, result.failed = job.get("posted", 0), job.get("failed", 0)
        result.uploads = await _served(http, sandbox, "/product/202309/images/upload") - before[
            "/product/202309/images/upload"]
        result.checks = await _served(http, sandbox, "/product/202309/products/listing_check") - before[
            "/product/202309/products/listing_check"]
        result.creates = await _creates(http, sandbox) - creates_before
    return result


async def _creates(http: httpx.AsyncClient, sandbox: str) -> int:
    """Calls of exactly POST /product/202309/products (the prefix also matches search, updates …)."""
    counts = (await http.get(f"{sandbox}/sandbox/requests", params={"path": "/product/202309/products"})).json()
    return int(counts["data"]["counts"].get("/product/202309/products", 0))
