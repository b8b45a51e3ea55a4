"""``make bench`` / ``python -m tests.bench [--scenario inventory|orders|catalog|console|posting|steady|all] [--orders N] [--skus N] [--products N] [--console-orders N] [--console-products N] [--steady-s S] [--no-profile]``.

Starts the stack as processes exactly as ``make run`` does (``ttshop dev``) and measures it from the
outside. *orders*: connects a sandbox shop through the CLI, places N orders in the sandbox, starts a
range download job and measures the time until all N are on ``orders.downloaded``. *inventory*:
connects a shop with inventory upload on, lists N SKUs on TikTok (the sandbox), imports them, publishes
one ``InventoryChanged`` per SKU and then 5 per SKU, and measures until TikTok holds every new quantity.
*catalog*: loads an N-row XLSX product file through the CLI (rows/s; a re-run that changes nothing) and
checks the whole catalogue's readiness (products/s), next to openpyxl alone reading the same file.
*console*: the operator console's pages (orders list and its live part, listings and its live part, an
order's page) against the admin API calls they make: p50/p95 and requests/s of 50 sequential requests each,
the console's peak RSS; on the orders and catalog scenarios' shops, or (alone) on its own smaller data.
*posting*: one bulk post job of N ready products with 3 images each, against the ideal its rate limits allow.
*steady*: 200 InventoryChanged/s for S seconds over 5 shops (multi- and single-SKU products): latency p50/p99
from publish until TikTok holds the value, and the coalescing window's share of it.
Reports per-process peak RSS (VmHWM) and, with py-spy installed, where the measured process (orders,
catalog) and the sandbox spend their time. Prints only.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import platform
import tempfile
from pathlib import Path

from tests.bench import (
    catalog_scenario,
    console_scenario,
    inventory_scenario,
    orders_scenario,
    posting_scenario,
    profiling,
    report,
    steady_scenario,
)
from tests.bench.stack import peak_rss_kib, processes
from tests.support.devstack import Stack, running_stack

#: The reconciliation poll and settlement import would compete with the job being measured.
QUIET_LOOPS = {"ORDERS_POLL_INTERVAL_S": "3600", "ORDERS_SETTLEMENT_INTERVAL_S": "3600"}
SCENARIOS = ("all", "inventory", "orders", "catalog", "console", "posting", "steady")
#: scenarios whose profiles are summarised by another scenario's steps (profiling.STEPS)
STEPS_OF = {"steady": "inventory"}


def _rss_table(stack: Stack) -> list[tuple[str, int, int]]:
    rows = []
    for name, pids in sorted(processes(stack).items()):
        peaks = [p for p in (peak_rss_kib(pid) for pid in pids) if p is not None]
        if peaks:
            rows.append((name, len(peaks), max(peaks) if name != "postgres" else sum(peaks)))
    return rows


class Profiles:
    """py-spy on some of the stack's processes while one scenario measures; results in ``done``."""

    def __init__(self, stack: Stack, enabled: bool) -> None:
        self._stack, self._enabled = stack, enabled
        self._out = Path(tempfile.mkdtemp(prefix="ttshop-prof-"))
        self._running: dict[str, profiling.Sampler] = {}
        self.done: list[tuple[str, profiling.Profile, str]] = []  # (process, profile, scenario)
        self._scenario = ""

    def start(self, scenario: str, *names: str) -> None:
        if self._enabled:
            pids = processes(self._stack)
            for name in names:
                out = self._out / f"{scenario}-{name}.raw"
                steps = profiling.STEPS.get((STEPS_OF.get(scenario, scenario), name), ())
                self._running[name] = profiling.Sampler(pids[name][0], out, steps)
            self._scenario = scenario

    def stop(self) -> None:
        for name, sampler in self._running.items():
            self.done.append((name, sampler.stop(), self._scenario))
        self._running.clear()


async def _main(scenario: str, orders: int, skus: int, poll_s: float, profile: bool, products: int,
                posts: int, steady_s: float, console_orders: int, console_products: int) -> int:
    print(f"ttshop benchmark on {platform.node()} ({os.cpu_count()} CPUs, Python {platform.python_version()})")
    orders_run: orders_scenario.OrdersRun | None = None
    inventory_run: inventory_scenario.InventoryRun | None = None
    catalog_run: catalog_scenario.CatalogRun | None = None
    console_run: console_scenario.ConsoleRun | None = None
    posting_run: posting_scenario.PostingRun | None = None
    steady_run: steady_scenario.SteadyRun | None = None
    with running_stack(QUIET_LOOPS) as stack:
        profiles = Profiles(stack, profile)
        try:
            if scenario in ("all", "orders"):
                orders_run = await orders_scenario.run(
                    stack, orders, on_job_started=lambda: profiles.start("orders", "orders", "sandbox"))
                profiles.stop()
            if scenario in ("all", "inventory"):
                inventory_run = await inventory_scenario.run(
                    stack, skus, poll_s=poll_s,
                    on_measure_start=lambda: profiles.start("inventory", "catalog", "sandbox"),
                    on_measure_end=profiles.stop,
                )
            if scenario in ("all", "catalog"):
                catalog_run = await catalog_scenario.run(
                    stack, products, on_measure_start=lambda: profiles.start("catalog", "catalog"),
                    on_measure_end=profiles.stop,
                )
            if scenario in ("all", "console"):  # after orders and catalog: it shows their shops' data
                console_run = await console_scenario.run(
                    stack, orders_shop=orders_run.shop_id if orders_run else None,
                    listing_shop_id=catalog_run.shop_id if catalog_run else None,
                    orders=orders if orders_run else console_orders, products=console_products,
                    on_measure_start=lambda: profiles.start("console", "console"), on_measure_end=profiles.stop,
                )
            if scenario in ("all", "posting"):
                posting_run = await posting_scenario.run(
                    stack, posts, on_measure_start=lambda: profiles.start("posting", "catalog", "sandbox"),
                    on_measure_end=profiles.stop,
                )
            if scenario in ("all", "steady"):
                steady_run = await steady_scenario.run(
                    stack, steady_s, on_measure_start=lambda: profiles.start("steady", "catalog", "sandbox"),
                    on_measure_end=profiles.stop,
                )
        finally:
            profiles.stop()
        rss = _rss_table(stack)
    if orders_run is not None:
        report.orders(orders_run)
    if inventory_run is not None:
        report.inventory(inventory_run)
    if catalog_run is not None:
        report.catalog(catalog_run)
    if console_run is not None:
        report.console(console_run)
    if posting_run is not None:
        report.posting(posting_run)
    if steady_run is not None:
        report.steady(steady_run)
    report.rss(rss)
    walls = {"orders": orders_run.all_on_topic_s if orders_run else 0.0,
             "inventory": inventory_run.profiled_s if inventory_run else 0.0,
             "catalog": catalog_run.upsert_s + catalog_run.rerun_s if catalog_run else 0.0,
             "console": console_run.measured_s if console_run else 0.0,
             "posting": posting_run.job_s if posting_run else 0.0,
             "steady": steady_run.measured_s if steady_run else 0.0}
    for name, prof, measured in profiles.done:
        report.profile(f"{name} ({measured} scenario)", prof, walls.get(measured, 0.0))
    if profile and not profiles.done:
        print("\nprofile: no samples taken")
    if not profile:
        print("\nprofile: off (--no-profile, or py-spy not installed: pip install py-spy)")
    ok = ((orders_run is None or orders_run.distinct == orders) and (inventory_run is None or inventory_run.ok)
          and (catalog_run is None or catalog_run.ok) and (console_run is None or console_run.ok)
          and (posting_run is None or posting_run.ok)
          and (steady_run is None or steady_run.ok))
    return 0 if ok else 1


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m tests.bench", description=__doc__.split("\n\n")[0])
    parser.add_argument("--scenario", choices=SCENARIOS, default="all", help="what to measure (default all)")
    parser.add_argument("--orders", type=int, default=5000, help="orders to place and download (default 5000)")
    parser.add_argument("--skus", type=int, default=1000, help="SKUs listed and updated (default 1000)")
    parser.add_argument("--products", type=int, default=10_000, help="rows of the product file (default 10000)")
    parser.add_argument("--console-orders", type=int, default=1000,
                        help="orders the console scenario places when run alone (default 1000)")
    parser.add_argument("--console-products", type=int, default=1000,
                        help="products the console scenario loads when run alone (default 1000)")
    parser.add_argument("--posts", type=int, default=1000, help="products in the bulk post (default 1000)")
    parser.add_argument("--poll-ms", type=int, default=50,
                        help="how often the inventory scenario reads the shop's listings from the sandbox (default 50)")
    parser.add_argument("--steady-s", type=float, default=steady_scenario.STEADY_S,
                        help="seconds the steady scenario publishes at 200 events/s (default 20)")
    parser.add_argument("--no-profile", action="store_true", help="do not attach py-spy to the measured processes")
    args = parser.parse_args()
    if not 1 <= args.skus <= 9000:
        parser.error("--skus must be 1..9000 (quantities are derived from the SKU's index)")
    if args.console_orders < 1 or args.console_products < 1:
        parser.error("--console-orders and --console-products must be at least 1")
    if not 1 <= args.steady_s <= 600:
        parser.error("--steady-s must be 1..600")
    profile = not args.no_profile and profiling.available()
    raise SystemExit(asyncio.run(_main(args.scenario, args.orders, args.skus, args.poll_ms / 1000, profile,
                                      args.products, args.posts, args.steady_s, args.console_orders,
                                      args.console_products)))


if __name__ == "__main__":
    main()
