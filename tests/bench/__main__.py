"""``make bench`` / ``python -m tests.bench [--orders N] [--no-profile]``.

Starts the stack as processes exactly as ``make run`` does (``ttshop dev``), connects a sandbox
shop through the CLI, places N orders in the sandbox, starts a range download job and measures
the time until all N are on ``orders.downloaded``; reports orders/s, per-process peak RSS
(VmHWM) and, with py-spy installed, where the orders process spends its time. Prints only.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import platform
import tempfile
from pathlib import Path

from tests.bench import orders_scenario, profiling
from tests.bench.stack import peak_rss_kib, processes
from tests.support.devstack import Stack, running_stack

#: The reconciliation poll and settlement import would compete with the job being measured.
QUIET_LOOPS = {"ORDERS_POLL_INTERVAL_S": "3600", "ORDERS_SETTLEMENT_INTERVAL_S": "3600"}
TARGET = 1000.0


def _rss_table(stack: Stack) -> list[tuple[str, int, int]]:
    rows = []
    for name, pids in sorted(processes(stack).items()):
        peaks = [p for p in (peak_rss_kib(pid) for pid in pids) if p is not None]
        if peaks:
            rows.append((name, len(peaks), max(peaks) if name != "postgres" else sum(peaks)))
    return rows


def _print_run(run: orders_scenario.OrdersRun) -> None:
    print(f"\norders scenario: {run.orders} orders (2 SKUs, 3 units each), range download job, "
          f"{run.pages} pages of 100")
    rows = [
        ("place orders in the sandbox (bulk control call)", f"{run.place_s:8.2f} s"),
        ("job created -> job done (stored, events in outbox)", f"{run.job_done_s:8.2f} s"),
        *((f"job created -> {k}", f"{v:8.2f} s") for k, v in run.marks.items()),
        ("job created -> all N on orders.downloaded", f"{run.all_on_topic_s:8.2f} s"),
        ("distinct OrderDownloaded / duplicates", f"{run.distinct} / {run.duplicates}"),
        ("throughput (N / time to all on topic)", f"{run.orders_per_s:8.0f} orders/s"),
        ("target", f"{TARGET:8.0f} orders/s ({'met' if run.orders_per_s >= TARGET else 'NOT met'})"),
    ]
    width = max(len(r[0]) for r in rows)
    for label, value in rows:
        print(f"  {label:<{width}}  {value}")


def _print_rss(rows: list[tuple[str, int, int]]) -> None:
    print("\npeak resident memory (VmHWM; postgres = sum over its processes)")
    for name, count, kib in rows:
        print(f"  {name:<16} {count:>3} proc  {kib / 1024:8.1f} MiB")


def _print_profile(name: str, profile: profiling.Profile, wall_s: float) -> None:
    if not profile.samples:
        print(f"\n{name}: no profile samples")
        return
    busy = profile.samples / (profiling.RATE_HZ * wall_s) if wall_s else 0.0
    print(f"\n{name} process profile (py-spy, {profile.samples} samples; on CPU or in a call ~{100 * busy:.0f} %"
          " of the measured time)")
    for label, _ in profiling.STEPS if name == "orders" else ():
        print(f"  {label:<40} {100 * profile.inclusive[label] / profile.samples:5.1f} %")
    print("  hottest leaf functions:")
    for frame, count in profile.leaves.most_common(12):
        print(f"    {100 * count / profile.samples:5.1f} %  {frame[:110]}")


async def _main(orders: int, profile: bool) -> int:
    print(f"ttshop benchmark on {platform.node()} ({os.cpu_count()} CPUs, Python {platform.python_version()})")
    with running_stack(QUIET_LOOPS) as stack:
        samplers: dict[str, profiling.Sampler] = {}
        out = Path(tempfile.mkdtemp(prefix="ttshop-prof-"))

        def start_profile() -> None:
            if profile:
                pids = processes(stack)
                for name in ("orders", "sandbox"):
                    samplers[name] = profiling.Sampler(pids[name][0], out / f"{name}.raw")

        run = await orders_scenario.run(stack, orders, on_job_started=start_profile)
        profiles = {name: sampler.stop() for name, sampler in samplers.items()}
        rss = _rss_table(stack)
    _print_run(run)
    _print_rss(rss)
    for name, prof in profiles.items():
        _print_profile(name, prof, run.all_on_topic_s)
    if profile and not profiles:
        print("\nprofile: py-spy not installed (pip install py-spy)")
    return 0 if run.distinct == orders else 1


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m tests.bench", description=__doc__.split("\n\n")[0])
    parser.add_argument("--orders", type=int, default=5000, help="orders to place and download (default 5000)")
    parser.add_argument("--no-profile", action="store_true", help="do not attach py-spy to the orders process")
    args = parser.parse_args()
    profile = not args.no_profile and profiling.available()
    raise SystemExit(asyncio.run(_main(args.orders, profile)))


if __name__ == "__main__":
    main()
