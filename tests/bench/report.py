"""What ``python -m tests.bench`` prints: the scenarios' figures, peak memory, profiles."""

from __future__ import annotations

from tests.bench import (
    catalog_scenario,
    console_scenario,
    inventory_scenario,
    orders_scenario,
    posting_scenario,
    profiling,
    steady_scenario,
)

ORDERS_TARGET = 1000.0
STEADY_P99_TARGET_S = 1.0


def _rows(rows: list[tuple[str, str]]) -> None:
    width = max(len(r[0]) for r in rows)
    for label, value in rows:
        print(f"  {label:<{width}}  {value}")


def orders(run: orders_scenario.OrdersRun) -> None:
    print(f"\norders scenario: {run.orders} orders (2 SKUs, 3 units each), range download job, "
          f"{run.pages} pages of 100")
    met = "met" if run.orders_per_s >= ORDERS_TARGET else "NOT met"
    _rows([
        ("place orders in the sandbox (bulk control call)", f"{run.place_s:8.2f} s"),
        ("job created -> job done (stored, events in outbox)", f"{run.job_done_s:8.2f} s"),
        *((f"job created -> {k}", f"{v:8.2f} s") for k, v in run.marks.items()),
        ("job created -> all N on orders.downloaded", f"{run.all_on_topic_s:8.2f} s"),
        ("distinct OrderDownloaded / duplicates", f"{run.distinct} / {run.duplicates}"),
        ("throughput (N / time to all on topic)", f"{run.orders_per_s:8.0f} orders/s"),
        ("target", f"{ORDERS_TARGET:8.0f} orders/s ({met})"),
    ])


def inventory(run: inventory_scenario.InventoryRun) -> None:
    print(f"\ninventory scenario: {run.skus} SKUs, one single-SKU TikTok listing each, one shop")
    if run.shop is not None:
        print("  setup (not measured):")
        _rows([(f"  {k}", f"{v:8.2f} s") for k, v in run.shop.timings.items()])
        c = run.shop.import_counts
        print(f"    import: {c.get('listings')} listings, {c.get('skus')} SKUs, {c.get('matched')} matched, "
              f"{c.get('unmatched')} unmatched ({run.skus} bench SKUs + 1 warm-up SKU)")
    for burst in run.bursts:
        polls = sorted(burst.poll_ms)
        per_call = burst.events / burst.calls if burst.calls else 0.0
        calls = f"{burst.calls:8d} (events {burst.events}, SKUs {burst.skus}; {per_call:.2f} events per call)"
        every = sorted(burst.interval_ms)
        polled = (f"{burst.polls:8d}, every {every[len(every) // 2] if every else 0:.0f} ms (median); a GET took "
                  f"median {polls[len(polls) // 2] if polls else 0:.1f} ms, max {polls[-1] if polls else 0:.1f} ms")
        print(f"\n  burst: {burst.label} ({burst.events} InventoryChanged published)")
        rows = [
            ("publish (first send -> last ack)", f"{burst.publish_s:8.2f} s"),
            ("first publish -> catalog consumed (committed) all", "    never" if burst.consumed_s is None
             else f"{burst.consumed_s:8.2f} s = {burst.consumed_per_s:,.0f} events/s"),
            ("the same records read by a plain aiokafka consumer", "    -" if burst.raw_read_s is None
             else f"{burst.raw_read_s:8.2f} s = {burst.raw_per_s:,.0f} events/s (catalog: "
                  f"{burst.consumed_per_s / burst.raw_per_s if burst.raw_per_s else 0:.2f}x of it)"),
            ("first publish -> every SKU held on TikTok", f"{burst.all_held_s:8.2f} s"
             + (f"  ({burst.missing} SKUs NEVER held their value)" if burst.missing else "")),
            (f"the ideal ({burst.skus} calls / {inventory_scenario.TIKTOK_QPS} per s) and that time / it",
             f"{burst.ideal_s:8.2f} s, {burst.all_held_s / burst.ideal_s if burst.ideal_s else 0:.3f}x (target 1.05x)"),
            ("throughput (SKUs / that time)", f"{burst.skus_per_s:8.0f} SKUs/s"),
            ("latency publish -> TikTok took it  p50", f"{burst.latency(0.5) * 1000:8.0f} ms"),
            ("                                   p95", f"{burst.latency(0.95) * 1000:8.0f} ms"),
            ("                                   max", f"{burst.latency(1.0) * 1000:8.0f} ms"),
            ("inventory/update calls served by the sandbox", calls),
            ("inventory/update calls refused with 429 (retried)", f"{burst.rate_limited:8d}"),
            ("SKUs seen holding an intermediate value", f"{burst.intermediate_seen:8d}"),
            (f"SKUs not holding the final value {inventory_scenario.SETTLE_S:.0f} s later",
             f"{burst.wrong_after_settle:8d}"),
            ("polls of the sandbox's lean inventory view", polled),
        ]
        _rows(rows)
    print("  (TikTok took it = the sandbox's clock at the inventory/update that set the SKU's final quantity; "
          "publish time = when the producer was handed the SKU's last event)")


def rss(rows: list[tuple[str, int, int]]) -> None:
    print("\npeak resident memory (VmHWM; postgres = sum over its processes)")
    for name, count, kib in rows:
        print(f"  {name:<16} {count:>3} proc  {kib / 1024:8.1f} MiB")


def profile(name: str, prof: profiling.Profile, wall_s: float) -> None:
    if not prof.samples:
        print(f"\n{name}: no profile samples")
        return
    busy = prof.samples / (profiling.RATE_HZ * wall_s) if wall_s else 0.0
    print(f"\n{name} process profile (py-spy, {prof.samples} samples; on CPU or in a call ~{100 * busy:.0f} %"
          " of the measured time)")
    for label, _ in prof.steps:
        print(f"  {label:<40} {100 * prof.inclusive[label] / prof.samples:5.1f} %")
    print("  hottest leaf functions:")
    for frame, count in prof.leaves.most_common(12):
        print(f"    {100 * count / prof.samples:5.1f} %  {frame[:110]}")


def _rate(count: int, seconds: float, unit: str) -> str:
    return f"{seconds:8.2f} s ({count / max(seconds, 1e-9):,.0f} {unit}/s)"


def catalog(run: catalog_scenario.CatalogRun) -> None:
    print(f"\ncatalog scenario: a {run.rows:,}-row XLSX product file ({run.file_bytes / 1e6:.1f} MB, 2 images "
          "shared by every row), one shop")
    _rows([(f"  setup: {k}", f"{v:8.2f} s") for k, v in run.setup.items()])
    _rows([
        ("raw baseline: openpyxl reads the file", _rate(run.rows, run.openpyxl_read_s, "rows")),
        ("`products upsert` (parse, validate, store, readiness)", _rate(run.rows, run.upsert_s, "rows")),
        ("  created / refused", f"{run.created} / {run.refused}"),
        ("same file again (nothing changes)", f"{run.rerun_s:8.2f} s, {run.unchanged_on_rerun} unchanged"),
        ("`products check --all` (whole catalogue)", _rate(run.rows, run.check_s, "products")),
        ("  ready / not ready", f"{run.ready} / {run.not_ready} (a quarter of the rows have no price)"),
    ])


def posting(run: posting_scenario.PostingRun) -> None:
    print(f"\nposting scenario: one bulk post job of {run.products} ready products, 3 different images each, one shop")
    _rows([(f"  setup: {k}", f"{v:8.2f} s") for k, v in run.setup.items()])
    ratio = run.job_s / run.ideal_s if run.ideal_s else 0.0
    _rows([
        ("job (`products post --all-ready`) until done", _rate(run.products, run.job_s, "products")),
        ("  posted / failed", f"{run.posted} / {run.failed}"),
        ("  TikTok calls: image uploads / listing checks / creates", f"{run.uploads} / {run.checks} / {run.creates}"),
        ("ideal (largest endpoint ÷ 50 QPS, endpoints side by side)", f"{run.ideal_s:8.2f} s"),
        ("job time ÷ ideal (target ≤ 1.3)", f"{ratio:8.2f}"),
    ])


def _quantiles(seconds: list[float]) -> str:
    return "  ".join(f"{name} {steady_scenario.pct(seconds, q) * 1000:5.0f}"
                     for name, q in (("p50", 0.5), ("p90", 0.9), ("p99", 0.99), ("max", 1.0))) + " ms"


def steady(run: steady_scenario.SteadyRun) -> None:
    sc, pct = steady_scenario, steady_scenario.pct
    print(f"\nsteady scenario: {sc.RATE:.0f} InventoryChanged/s for {run.seconds:.0f} s over {sc.SHOPS} shops, each "
          f"{sc.MULTI_PRODUCTS} products x {sc.SKUS_PER_PRODUCT} SKUs + {sc.SINGLE_PRODUCTS} single-SKU products")
    _rows([(f"  setup: {k}", f"{v:8.2f} s") for k, v in run.setup.items()])
    every = [x for v in run.latencies.values() for x in v]
    p50, p99 = pct(every, 0.5), pct(every, 0.99)
    calls = sum(run.calls.values())
    published = (f"{run.events:8d} / {run.rate:,.1f} events/s (first -> last send {run.publish_s:.2f} s, "
                 f"last ack {run.acked_s:.2f} s; worst lateness {run.behind_ms:.0f} ms)")
    served = (f"{calls:8d} ({run.events / calls if calls else 0:.2f} events per call; per shop "
              f"{', '.join(str(n) for n in run.calls.values())})")
    share = f"{run.coalesce_s * 1000:8.0f} ms = {100 * run.coalesce_s / p50 if every else 0:.0f} % (upload_coalesce_s)"
    polled = (f"{run.rounds:8d}, every {pct(run.interval_ms, 0.5):.0f} ms (median); a GET took median "
              f"{pct(run.get_ms, 0.5):.1f} ms, max {pct(run.get_ms, 1.0):.1f} ms")
    seen = f"{run.seen:8d} / {run.overwritten} (coalesced, or replaced between two polls)"
    target = f"{STEADY_P99_TARGET_S * 1000:8.0f} ms ({'met' if p99 < STEADY_P99_TARGET_S else 'NOT met'})"
    off = (f"median {pct(run.bound_ms, 0.5):.0f} ms, p99 {pct(run.bound_ms, 0.99):.0f} ms, "
           f"max {pct(run.bound_ms, 1.0):.0f} ms")
    _rows([
        ("events published / rate achieved", published),
        ("values seen on TikTok / overwritten before seen", seen),
        *((f"latency publish -> seen ({label}, {len(values)})", _quantiles(values))
          for label, values in (("all", every), *run.latencies.items())),
        ("  the same from the poll before (lower bound)", _quantiles(run.lower)),
        (f"publish -> catalog committed it (every {sc.COMMITTED_POLL_S * 1000:.0f} ms)", _quantiles(run.consumed)),
        ("publish -> TikTok took it (ListingUpdated, to the ms)", _quantiles(run.taken)),
        ("target p99 (as seen)", target),
        ("coalescing window's share of the p50", share),
        ("inventory/update calls served by the sandbox", served),
        ("last send -> every SKU held its last value", "    never" if run.drain_s is None else f"{run.drain_s:8.2f} s"),
        ("SKUs not holding their final value at the end", f"{run.missing:8d}"),
        ("a SKU seen holding an older value than before", f"{run.backwards:8d}"),
        ("poll rounds (one GET per shop, concurrent)", polled),
        ("how far a latency can be off (poll interval + GET)", off),
    ])
    limit = 100 * inventory_scenario.POLL_SHARE
    print(f"  (rounds every {run.poll_s * 1000:.0f} ms, or {100 / limit:.0f}x the last round's duration when that "
          f"is longer (the poll gets at most {limit:.0f} % of the sandbox); a latency is counted from when the "
          "producer was handed the event to the end of the first GET that showed the value, and lies between that "
          "and the start of the shop's GET before)")


def _ms(seconds: float) -> str:
    return f"{seconds * 1000:7.1f} ms"


def console(run: console_scenario.ConsoleRun) -> None:
    print(f"\nconsole scenario: the operator console's pages against the admin API calls they make, one signed-in "
          f"session; {run.requests} sequential requests each after {console_scenario.WARMUP} warm-ups")
    if run.setup:  # empty when it shows the orders and catalog scenarios' data
        _rows([(f"  setup: {k}", f"{v:8.2f} s") for k, v in run.setup.items()])
    for group in run.groups:
        base = group.rows[0].pct(0.5) if group.rows else 0.0
        width = max(len(label) for label in [*(t.label for t in group.rows), *(d[0] for d in group.derived)])
        print(f"\n  {group.title}")
        print(f"    {'':<{width}}  {'p50':>10} {'p95':>10} {'req/s':>7} {'bytes':>9}  p50 / first row")
        for t in group.rows:
            ratio = t.pct(0.5) / base if base else 0.0
            size = f"{t.size:9,d}" if t.size is not None else f"{'-':>9}"
            print(f"    {t.label:<{width}}  {_ms(t.pct(0.5))} {_ms(t.pct(0.95))} {t.per_s:7.0f} {size}  {ratio:6.2f}x")
        for label, seconds in group.derived:
            ratio = seconds / base if base else 0.0
            print(f"    {label:<{width}}  {_ms(seconds)} {'':>10} {'':>7} {'':>9}  {ratio:6.2f}x")
    mib = [f"{k / 1024:.1f} MiB" if k is not None else "-" for k in (run.rss_before_kib, run.rss_after_kib)]
    print()
    _rows([
        ("console peak RSS (VmHWM) before / after measuring", f"{mib[0]} / {mib[1]}"),
        ("measured (all targets, warm-ups included)", f"{run.measured_s:8.2f} s"),
        ("pages 200 and showing their API's data", "yes" if run.ok else "NO"),
        *((f"  {i + 1}.", failure) for i, failure in enumerate(run.failures)),
    ])
    print("  (req/s: sequential, one request at a time = 1 / mean latency; bytes: the answer's body; "
          "a page shows its data when every order id / SKU of the API's answer is on it and no error)")
