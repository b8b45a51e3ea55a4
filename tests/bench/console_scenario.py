"""Console scenario of ``make bench``: what the operator console's pages cost against the admin API calls
they make, side by side in one run. Signed in once (``POST /signin`` with the stack's ADMIN_API_TOKEN),
each target gets :data:`WARMUP` requests, then :data:`REQUESTS` sequential ones (p50/p95, requests/s):

- the orders list of one shop, 500 orders: orders ``GET /orders?shop=&limit=500`` (and with auth's
  ``GET /shops`` beside it, as the page asks), the page ``/orders?shop=&limit=500`` and its live part
  ``/orders/parts/table``;
- the listings of one shop, 50 a page: catalog ``GET /products?shop=&limit=50`` (after auth's
  ``GET /shops``, as the page asks), the page ``/listings?shop=`` and its live part ``/listings/table``;
- an order's page ``/orders/{id}`` against its 5 API calls (each alone, their sum and max, and all 5
  concurrently as the page makes them).

Every answer must be 200, every page must show what its API answered (each order id / SKU of the API's
answer, the order's shop) and no error. Run after the orders and catalog scenarios it uses their shops;
alone, it makes its own: N orders placed and downloaded, an N-row product file loaded."""

from __future__ import annotations

import asyncio
import json
import tempfile
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote

import httpx

from tests.bench import catalog_scenario, orders_scenario
from tests.bench.stack import peak_rss_kib, processes
from tests.support.devstack import Stack
from tests.support.shops import admin_headers, control, listing_shop
from tests.support.waiting import until

REQUESTS = 50
WARMUP = 5
ORDERS_LIMIT = 500  # the most the orders API (and the console's search) answers
PAGE_SIZE = 50  # the listings page's products per page (libs/console/listings/rows.py)
ERROR_FLASH = 'class="flash error"'

#: a target's check of one answer: None when it is right, else what is wrong
Check = Callable[[httpx.Response], str | None]


@dataclass
class Timing:
    """One target's sequential requests (seconds each), the size of its last answer."""

    label: str
    seconds: list[float]
    size: int | None = None  # None: several answers at once (no one size)

    def pct(self, q: float) -> float:
        ordered = sorted(self.seconds)
        return ordered[min(len(ordered) - 1, int(q * len(ordered)))] if ordered else 0.0

    @property
    def per_s(self) -> float:
        """Sequential requests/s: one at a time, so 1 / the mean latency."""
        return len(self.seconds) / sum(self.seconds) if self.seconds else 0.0


@dataclass
class Group:
    """One page's comparison: ``rows[0]`` is the raw admin API call the ratios are against."""

    title: str
    rows: list[Timing] = field(default_factory=list)
    derived: list[tuple[str, float]] = field(default_factory=list)  # (label, seconds): e.g. the sum of p50s


@dataclass
class ConsoleRun:
    requests: int
    orders: int  # orders placed in the orders shop
    orders_shop: str = ""
    orders_listed: int = 0  # the newest of them the orders API answers (at most ORDERS_LIMIT)
    listing_shop: str = ""
    products_total: int = 0  # products the catalog lists for the shop (GET /products ``total``)
    order_id: str = ""
    setup: dict[str, float] = field(default_factory=dict)
    groups: list[Group] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)
    rss_before_kib: int | None = None
    rss_after_kib: int | None = None
    measured_s: float = 0.0

    @property
    def ok(self) -> bool:
        return not self.failures and len(self.groups) == 3


async def _orders(stack: Stack, http: httpx.AsyncClient, count: int) -> str:
    """A shop with ``count`` orders placed in the sandbox and downloaded by a range job (done)."""
    shop_id = await orders_scenario.connect_shop(stack, http)
    await control(http, "POST", f"{stack.url('sandbox')}/sandbox/shops/{shop_id}/orders/bulk",
                  json={"count": count, "webhook": False, "lines": orders_scenario.LINES})
    job = (await http.post(f"{stack.url('orders')}/jobs/download", json={"shop": shop_id})).json()

    async def finished() -> bool:
        state = (await http.get(f"{stack.url('orders')}/jobs/{job['id']}")).json()
        if state["status"] == "failed":
            raise RuntimeError(f"download job failed: {state['error']}")
        return bool(state["status"] == "done")

    await until(finished, timeout_s=max(120.0, count / 20), every_s=0.1, what=f"download job {job['id']} done")
    return shop_id


async def _products(stack: Stack, count: int) -> str:
    """A listing shop and a ``count``-row product file loaded through the CLI (catalog scenario's file)."""
    async with httpx.AsyncClient(timeout=60) as http:
        shop_id, category_id, required = await listing_shop(stack, http)
    path, _ = catalog_scenario.product_file(Path(tempfile.mkdtemp(prefix="ttshop-bench-console-")), count,
                                            category_id, required)
    loaded = json.loads(stack.ttshop("--json", "catalog", "products", "upsert", str(path), timeout=1800).stdout)
    if loaded["created"] + loaded.get("updated", 0) + loaded.get("unchanged", 0) != count:
        raise RuntimeError(f"product file of {count} rows: {loaded}")
    return shop_id


async def _sign_in(stack: Stack, http: httpx.AsyncClient) -> None:
    """Sign ``http`` in to the console (its cookie jar keeps the session)."""
    base = stack.url("console")
    answer = await http.post(f"{base}/signin", data={"credential": stack.values.get("ADMIN_API_TOKEN") or "",
                                                     "next": "/shops"}, headers={"origin": base})
    cookie = answer.cookies.get("ttshop_console")
    if answer.status_code != 303 or not cookie:
        raise RuntimeError(f"console sign-in -> {answer.status_code} {answer.text[:300]}")
    http.headers["cookie"] = f"ttshop_console={cookie}"  # explicit: a jar may hold back cookies of an IP host


async def _measure(label: str, call: Callable[[], Awaitable[httpx.Response]], check: Check, run: ConsoleRun,
                   requests: int, *, sized: bool = True) -> Timing:
    """WARMUP calls, then ``requests`` timed ones; each answer checked (outside the timing)."""
    timing = Timing(label, [])
    problems: list[str] = []
    for i in range(WARMUP + requests):
        t = time.perf_counter()
        answer = await call()
        took = time.perf_counter() - t
        if i >= WARMUP:
            timing.seconds.append(took)
        wrong = f"-> {answer.status_code}" if answer.status_code != 200 else check(answer)
        if wrong is not None:
            problems.append(wrong)
        timing.size = len(answer.content) if sized else None
    if problems:
        run.failures.append(f"{label}: {len(problems)} of {WARMUP + requests} wrong, e.g. {problems[0]}")
    return timing


async def _gathered(*calls: Awaitable[httpx.Response]) -> httpx.Response:
    """Several calls at once, as a page makes them: the first non-200 answer, else the last answer."""
    answers = await asyncio.gather(*calls)
    return next((a for a in answers if a.status_code != 200), answers[-1])


def _all_shown(marks: list[str]) -> Check:
    """The page shows every one of ``marks`` and no error."""

    def check(answer: httpx.Response) -> str | None:
        text = answer.text
        if ERROR_FLASH in text:
            start = text.index(ERROR_FLASH)
            return f"shows an error: {text[start:start + 200]!r}"
        missing = [m for m in marks if m not in text]
        return f"{len(missing)} of {len(marks)} missing, e.g. {missing[0]!r}" if missing else None

    return check


def _json_of(key: str, count: int) -> Check:
    def check(answer: httpx.Response) -> str | None:
        found = answer.json().get(key)
        return None if isinstance(found, list) and len(found) == count else f"{key}: not {count} of them"

    return check


def _ok(answer: httpx.Response) -> str | None:
    return None


async def _orders_list(api: httpx.AsyncClient, page: httpx.AsyncClient, stack: Stack, run: ConsoleRun,
                       requests: int) -> list[dict[str, Any]]:
    orders_url, auth_url, console = stack.url("orders"), stack.url("auth"), stack.url("console")
    params: dict[str, str | int] = {"shop": run.orders_shop, "limit": ORDERS_LIMIT}
    answer = await api.get(f"{orders_url}/orders", params=params)
    answer.raise_for_status()
    orders: list[dict[str, Any]] = answer.json()["orders"]
    run.orders_listed = len(orders)
    if not orders:
        run.failures.append(f"orders: shop {run.orders_shop} has no orders")
        return orders
    shown = _all_shown([f'data-order="{o["order_id"]}"' for o in orders])
    query = f"shop={quote(run.orders_shop)}&limit={ORDERS_LIMIT}"
    group = Group(f"orders list: shop {run.orders_shop}, the newest {len(orders)} of {run.orders} orders")
    group.rows.append(await _measure(f"API  orders GET /orders?shop=&limit={ORDERS_LIMIT}",
                                     lambda: api.get(f"{orders_url}/orders", params=params),
                                     _json_of("orders", len(orders)), run, requests))
    group.rows.append(await _measure("API  auth GET /shops", lambda: api.get(f"{auth_url}/shops"), _ok, run,
                                     requests))
    group.rows.append(await _measure(
        "API  both at once, /shops twice (as the page asks)",
        lambda: _gathered(api.get(f"{orders_url}/orders", params=params), api.get(f"{auth_url}/shops"),
                          api.get(f"{auth_url}/shops")), _ok, run, requests, sized=False))
    group.rows.append(await _measure(f"page /orders?shop=&limit={ORDERS_LIMIT}",
                                     lambda: page.get(f"{console}/orders?{query}"), shown, run, requests))
    group.rows.append(await _measure("part /orders/parts/table?shop=&limit= (live)",
                                     lambda: page.get(f"{console}/orders/parts/table?{query}"), shown, run,
                                     requests))
    run.groups.append(group)
    return orders


async def _listings(api: httpx.AsyncClient, page: httpx.AsyncClient, stack: Stack, run: ConsoleRun,
                    requests: int) -> None:
    catalog_url, auth_url, console = stack.url("catalog"), stack.url("auth"), stack.url("console")
    params: dict[str, str | int] = {"shop": run.listing_shop, "limit": PAGE_SIZE, "offset": 0}
    answer = await api.get(f"{catalog_url}/products", params=params)
    answer.raise_for_status()
    body = answer.json()
    products: list[dict[str, Any]] = body["products"]
    run.products_total = int(body.get("total") or 0)
    if not products:
        run.failures.append(f"listings: the catalog lists no product for shop {run.listing_shop}")
        return
    shown = _all_shown([f'data-sku="{p["seller_sku"]}"' for p in products])
    query = f"shop={quote(run.listing_shop)}"

    async def as_the_page_asks() -> httpx.Response:
        shops = await api.get(f"{auth_url}/shops")
        return shops if shops.status_code != 200 else await api.get(f"{catalog_url}/products", params=params)

    group = Group(f"listings: shop {run.listing_shop}, the first {len(products)} of {run.products_total} products")
    group.rows.append(await _measure(f"API  catalog GET /products?shop=&limit={PAGE_SIZE}",
                                     lambda: api.get(f"{catalog_url}/products", params=params),
                                     _json_of("products", len(products)), run, requests))
    group.rows.append(await _measure("API  auth /shops, then /products (as the page asks)", as_the_page_asks,
                                     _json_of("products", len(products)), run, requests, sized=False))
    group.rows.append(await _measure("page /listings?shop=", lambda: page.get(f"{console}/listings?{query}"),
                                     shown, run, requests))
    group.rows.append(await _measure("part /listings/table?shop= (live)",
                                     lambda: page.get(f"{console}/listings/table?{query}"), shown, run, requests))
    run.groups.append(group)


async def _order_page(api: httpx.AsyncClient, page: httpx.AsyncClient, stack: Stack, run: ConsoleRun,
                      requests: int, order: dict[str, Any]) -> None:
    orders_url, fulfillment_url = stack.url("orders"), stack.url("fulfillment")
    order_id = run.order_id = str(order["order_id"])
    path = f"{orders_url}/orders/{quote(order_id, safe='')}"
    calls: list[tuple[str, Callable[[], Awaitable[httpx.Response]]]] = [
        ("orders GET /orders/{id}", lambda: api.get(path)),
        ("fulfillment GET /shipments?order_id=",
         lambda: api.get(f"{fulfillment_url}/shipments", params={"order_id": order_id})),
        ("orders GET /orders/{id}/cancellations", lambda: api.get(f"{path}/cancellations")),
        ("orders GET /orders/{id}/refunds", lambda: api.get(f"{path}/refunds")),
        ("orders GET /orders/{id}/settlements", lambda: api.get(f"{path}/settlements")),
    ]
    group = Group(f"an order's page: order {order_id} (5 API calls)")
    group.rows.append(await _measure("API  all 5 at once (as the page makes them)",
                                     lambda: _gathered(*(call() for _, call in calls)), _ok, run, requests,
                                     sized=False))
    alone = [await _measure(f"API  {label}", call, _ok, run, requests) for label, call in calls]
    group.rows.extend(alone)
    group.derived = [("API  sum of the 5 p50s (one after another)", sum(t.pct(0.5) for t in alone)),
                     ("API  max of the 5 p50s (all at once, ideally)", max(t.pct(0.5) for t in alone))]
    group.rows.append(await _measure("page /orders/{id}", lambda: page.get(f"{stack.url('console')}/orders/"
                                                                          f"{quote(order_id, safe='')}"),
                                     _all_shown([order_id, f"shop {order['shop_id']}"]), run, requests))
    group.rows.append(await _measure("part /orders/{id}/live", lambda: page.get(
        f"{stack.url('console')}/orders/{quote(order_id, safe='')}/live"), _all_shown([order_id]), run, requests))
    run.groups.append(group)


def _console_rss(stack: Stack) -> int | None:
    pids = processes(stack).get("console", [])
    peaks = [p for p in (peak_rss_kib(pid) for pid in pids) if p is not None]
    return max(peaks) if peaks else None


async def run(stack: Stack, *, orders_shop: str | None, listing_shop_id: str | None, orders: int, products: int,
              requests: int = REQUESTS, on_measure_start: Callable[[], None] = lambda: None,
              on_measure_end: Callable[[], None] = lambda: None) -> ConsoleRun:
    """Measure on ``orders_shop``'s orders and ``listing_shop_id``'s listings; when not given (the scenario
    alone), make a shop with ``orders`` orders and load ``products`` products first."""
    result = ConsoleRun(requests, orders)
    async with httpx.AsyncClient(timeout=300, headers=admin_headers(stack)) as api, \
            httpx.AsyncClient(timeout=60) as page:
        if orders_shop is None:
            t = time.monotonic()
            orders_shop = await _orders(stack, api, orders)
            result.setup[f"{orders} orders placed and downloaded (shop, job)"] = time.monotonic() - t
        if listing_shop_id is None:
            t = time.monotonic()
            listing_shop_id = await _products(stack, products)
            result.setup[f"{products} products loaded (shop, categories, file)"] = time.monotonic() - t
        result.orders_shop, result.listing_shop = orders_shop, listing_shop_id
        await _sign_in(stack, page)
        result.rss_before_kib = _console_rss(stack)
        on_measure_start()
        t = time.monotonic()
        try:
            listed = await _orders_list(api, page, stack, result, requests)
            await _listings(api, page, stack, result, requests)
            if listed:
                await _order_page(api, page, stack, result, requests, listed[0])
        finally:
            result.measured_s = time.monotonic() - t
            on_measure_end()
        result.rss_after_kib = _console_rss(stack)
    return result
