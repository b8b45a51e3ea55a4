"""``make chaos`` / ``python -m tests.chaos [--seed N] [--duration S] [--report FILE]``: the whole system under
mixed load while its parts are killed, restarted and paused; then, once quiet, checks from outside that no
order was lost or duplicated, every shipment's tracking reached TikTok once, every cancellation was
detected once, TikTok holds the newest stock and price of every SKU, and every malformed event is in its
DLQ with a reason. Exits 1 on any loss or duplicate."""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import shutil
import sys
import tempfile
import time
from pathlib import Path

import httpx

from tests.chaos import faults, load
from tests.chaos.operator import Operator, listed_once
from tests.chaos.stack import ChaosStack
from tests.chaos.verify import Figures, until_quiet
from tests.support.shops import listing_shop, ready_products_file
from tests.support.waiting import until

SHOPS = 2
SKUS_PER_SHOP = 20


async def _connect(stack: ChaosStack, http: httpx.AsyncClient, n: int) -> str:
    sandbox = stack.urls["sandbox"]
    seller = await load.control(http, "POST", f"{sandbox}/sandbox/sellers", json={"name": f"Chaos Seller {n}"})
    name = f"chaos-{n}"
    stack.ttshop("shops", "connect", "--auth-code", seller["auth_code"], "--tax-id", f"TAX-CHAOS-{n}", "--name", name)
    stack.ttshop("shops", "settings", name, "--allow-order-download", "on", "--allow-tracking-upload", "on",
                 "--allow-inventory-upload", "on", "--allow-price-upload", "on",
                 "--query-order-status-change", "on", "--query-shipping-change", "on")
    return str(seller["shop_id"])


async def _reconnect(stack: ChaosStack, http: httpx.AsyncClient, shops: list[str], n: int) -> None:
    """The seller authorised the app again; the operator connects the shop with the fresh code."""
    code = await load.control(http, "POST", f"{stack.urls['sandbox']}/sandbox/sellers/{shops[n]}/auth-codes")
    await asyncio.to_thread(stack.ttshop, "shops", "connect", "--auth-code", code["auth_code"],
                            "--tax-id", f"TAX-CHAOS-{n}", "--name", f"chaos-{n}")


async def _ready_products(stack: ChaosStack, http: httpx.AsyncClient, root: Path, count: int) -> tuple[str, list[str]]:
    """A third shop with its taxonomy downloaded and ``count`` ready products loaded, for the operator to post."""
    shop, category_id, required = await listing_shop(stack, http, name="chaos-post")
    path = ready_products_file(root / "products", count, category_id=category_id, required=required,
                               prefix="CHAOSPOST", upc_base=30_000_000, images=2)
    loaded = json.loads(stack.ttshop("--json", "catalog", "products", "upsert", str(path), timeout=300).stdout)
    if loaded["created"] != count:
        raise RuntimeError(f"ready products: {loaded['created']} of {count} created: {loaded['problems'][:3]}")
    return shop, [f"CHAOSPOST-{i:05d}" for i in range(count)]


async def _listings(stack: ChaosStack, http: httpx.AsyncClient, shop: str, n: int) -> list[str]:
    skus = [f"CHAOS-{n}-{i:03d}" for i in range(SKUS_PER_SHOP)]
    for sku in skus:
        (await http.put(f"{stack.urls['catalog']}/products/{sku}", json={"title": f"Chaos {sku}"})).raise_for_status()
        await load.control(http, "POST", f"{stack.urls['sandbox']}/sandbox/shops/{shop}/products",
                           json={"title": f"Chaos {sku}", "skus": [{"seller_sku": sku, "price": "9.99", "quantity": 0}]})
    counts = json.loads(stack.ttshop("--json", "catalog", "products", "import", shop).stdout)
    if counts.get("matched") != len(skus):
        raise RuntimeError(f"import matched {counts.get('matched')} of {len(skus)}: {counts}")
    return skus


async def run(seed: int, duration_s: float, quiet_s: float, root: Path) -> tuple[Figures, dict[str, object]]:
    rng = random.Random(seed)
    stack = ChaosStack(root)
    info: dict[str, object] = {"seed": seed, "duration_s": duration_s}
    try:
        t = time.monotonic()
        await stack.start()
        async with httpx.AsyncClient(timeout=60, headers=stack.admin_headers) as http:
            shops = [await _connect(stack, http, n) for n in range(SHOPS)]
            skus = [sku for n, shop in enumerate(shops) for sku in await _listings(stack, http, shop, n)]
            post_shop, to_post = await _ready_products(stack, http, root, max(10, int(duration_s // 10)))
            info["setup_s"] = round(time.monotonic() - t, 1)
            ledger = load.Ledger()
            producer = load.Producer(stack.bootstrap)
            await producer.start()
            stop, done = asyncio.Event(), asyncio.Event()
            sandbox = stack.urls["sandbox"]
            operator = Operator(stack, ledger, shops, random.Random(rng.random()), post_shop=post_shop,
                                to_post=to_post)
            wms = load.Wms(stack.bootstrap, producer, http, sandbox, ledger, random.Random(rng.random()),
                           operator.hand_over)
            tasks = [
                asyncio.create_task(load.Orders(http, sandbox, shops, ledger, random.Random(rng.random())).run(stop, 0.3)),
                asyncio.create_task(load.Stock(producer, skus, ledger, random.Random(rng.random())).run(stop, 0.05)),
                asyncio.create_task(wms.run(stop, done)),
                asyncio.create_task(operator.run(stop, done, download_every_s=max(10.0, duration_s / 10),
                                                 post_every_s=duration_s * 0.85 / len(to_post))),
            ]
            plan = faults.FaultPlan(kills_per_service=max(1, int(duration_s // 120)), pause_s=min(20.0, duration_s / 12),
                                    storm_s=min(20.0, duration_s / 12), shops=shops,
                                    reconnect=lambda n: _reconnect(stack, http, shops, n))
            started = time.monotonic()
            await load.malformed(producer, ledger)
            await faults.inject(stack, plan, random.Random(rng.random()), http, duration_s, started)
            await asyncio.sleep(max(0.0, duration_s - (time.monotonic() - started)))
            stop.set()
            await asyncio.gather(tasks[0], tasks[1])
            (await http.delete(f"{sandbox}/sandbox/faults")).raise_for_status()
            t = time.monotonic()
            async def posted_all() -> bool:
                return operator.posts_left == 0

            try:  # the operator posts what is left once the load stops
                await until(posted_all, timeout_s=quiet_s, every_s=1, what="the operator's posts")
            except TimeoutError:
                pass  # reported below as pending
            figures, waited = await until_quiet(ledger, http, sandbox, stack.bootstrap, shops, quiet_s)
            waited = time.monotonic() - t  # the posts left, then quiet
            done.set()
            await asyncio.gather(tasks[2], tasks[3])
            await producer.stop()
            info["quiet_after_s"] = round(waited, 1)
            info["faults"] = [f"{i.at_s:6.1f} s  {i.kind} {i.target} ({i.took_s:.1f} s)" for i in plan.done]
            info["kills"] = dict(stack.kills)
            figures.rows["operator: orders shipped by hand (ttshop orders ship)"] = operator.figures.shipped_by_hand
            figures.rows["operator: range downloads (ttshop orders download)"] = operator.figures.range_downloads
            figures.rows["operator: CLI calls refused while a part was down (tried again)"] = (
                operator.figures.cli_calls_failed)
            held = await listed_once(http, sandbox, post_shop, operator.posted)
            figures.rows["operator: products posted (ttshop catalog products post)"] = (
                f"{operator.figures.posted} of {len(to_post)}, each held by exactly one TikTok product: "
                f"{sum(1 for n in held.values() if n == 1)}")
            figures.rows["operator: posted again after it went through (refused, nothing created)"] = (
                operator.figures.posted_again_refused)
            twice = sorted(sku for sku, n in held.items() if n != 1)
            if twice:
                figures.failures.append(f"{len(twice)} posted products not held exactly once on TikTok: {twice[:5]}")
            if operator.figures.pending:
                figures.failures.append(f"{len(operator.figures.pending)} hand shipments or posts never went through: "
                                        f"{operator.figures.pending[:5]}; last refusal: {operator.figures.last_refusal}")
            return figures, info
    finally:
        stack.stop()


def report(figures: Figures, info: dict[str, object]) -> str:
    head = (f"chaos run: seed {info['seed']}, {info['duration_s']:.0f} s of load and faults, setup "
            f"{info.get('setup_s')} s, quiet {info.get('quiet_after_s')} s after the load stopped")
    lines = [head, "", "faults injected:"]
    lines += [f"  {line}" for line in info.get("faults", [])]  # type: ignore[attr-defined]
    lines += ["", "figures:"]
    width = max(len(k) for k in figures.rows)
    lines += [f"  {k:<{width}}  {v}" for k, v in figures.rows.items()]
    lines += ["", "result: " + ("OK — nothing lost, nothing duplicated" if figures.ok else "FAILED")]
    lines += [f"  {failure}" for failure in figures.failures]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.chaos", description=__doc__)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--duration", type=float, default=600.0, help="seconds of load and faults")
    parser.add_argument("--quiet-timeout", type=float, default=180.0, help="seconds to wait for everything to settle")
    parser.add_argument("--report", type=Path, help="also write the report to this file")
    parser.add_argument("--keep", action="store_true", help="keep the run's state directory (logs) afterwards")
    args = parser.parse_args(argv)
    root = Path(tempfile.mkdtemp(prefix="ttshop-chaos-"))
    try:
        figures, info = asyncio.run(run(args.seed, args.duration, args.quiet_timeout, root))
    finally:
        if args.keep:
            print(f"state and logs kept in {root}")
        else:
            shutil.rmtree(root, ignore_errors=True)
    text = report(figures, info)
    print(text)
    if args.report:
        args.report.write_text(text + "\n")
    return 0 if figures.ok else 1


if __name__ == "__main__":
    sys.exit(main())
