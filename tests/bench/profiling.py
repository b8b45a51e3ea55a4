"""Sampling profile of a running process with py-spy (attached by pid, no restart, no code change),
summarised as inclusive time of the steps of the path being measured and the hottest leaf functions."""

from __future__ import annotations

import shutil
import signal
import subprocess
import sys
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

Steps = tuple[tuple[str, str], ...]

#: Steps of the order download path: (label, substring of the frame "function (file:line)").
ORDERS_STEPS: Steps = (
    ("job loop (whole page cycle)", "run_next_job (services/orders/intake/jobs/service.py"),
    ("  TikTok page fetch (HTTP + JSON)", "created_page (services/orders/tiktok.py"),
    ("  ingest_page (map + SQL + outbox)", "ingest_page (services/orders/intake/service.py"),
    ("    map TikTok -> domain", "_map (services/orders/intake/service.py"),
    ("    build events (pydantic)", "order_downloaded (services/orders/events.py"),
    ("    CloudEvent wrap", "new_event ("),
    ("    insert orders", "insert_new_orders ("),
    ("    replace lines", "replace_lines ("),
    ("    outbox insert", "enqueue_many ("),
    ("outbox relay (publish)", "OutboxRelay"),
    ("JSON encode/decode (anywhere)", "json/"),
)
#: Steps of the inventory upload path in the catalog process (py-spy names methods Class.method).
CATALOG_STEPS: Steps = (
    ("consumer: one InventoryChanged (FastStream)", "SubscriberUsecase.consume (faststream"),
    ("  handler in its transaction", "EventConsumer._handle ("),
    ("    inbox claim", "claim (libs/common/inbox.py"),
    ("    apply_inventory (store + queue)", "apply_inventory (services/catalog/sync/service.py"),
    ("      queue for each listing", "queue_inventory (services/catalog/sync/service.py"),
    ("  offset commit (one per message)", "_do_commit_offsets (aiokafka"),
    ("  sync dependency run in a thread", "run_in_threadpool (fast_depends"),
    ("upload worker: claim due rows", "claim_due (services/catalog/sync/repo.py"),
    ("upload of one row (worker task)", "LeasedQueue._upload ("),
    ("  gate check + TikTok call", "ListingUploader.attempt ("),
    ("    TikTok inventory/update (sign + HTTP)", "SyncTikTok.update_inventory ("),
    ("  record outcome + ListingUpdated", "LeasedQueue._record ("),
    ("outbox relay (publish)", "OutboxRelay."),
    ("asyncpg (anywhere)", "asyncpg/"),
    ("  pool release: connection reset query", "Connection.reset (asyncpg"),
    ("  BEGIN / COMMIT", "Transaction.__a"),
    ("socket send (loopback write, anywhere)", "_SelectorSocketTransport.write ("),
    ("logging (structlog, anywhere)", "structlog/"),
    ("JSON encode/decode (anywhere)", "json/"),
)
#: The catalog while a product file loads (twice: new, then unchanged).
CATALOG_LOAD_STEPS: Steps = (
    ("load a product file (request)", "Products.load_file ("),
    ("  read the sheet (openpyxl + cells)", "read_rows (libs/common/product_file.py"),
    ("  parse and validate rows", "parse_row (services/catalog/products/sheet.py"),
    ("  resolve media per row", "Products._resolve ("),
    ("  apply in one transaction", "Products._apply ("),
    ("    save records", "save_records (services/catalog/products/repo.py"),
    ("    readiness of the changed products", "recheck (services/catalog/readiness/service.py"),
    ("      the rules", "check_product (services/catalog/readiness/rules.py"),
    ("asyncpg (anywhere)", "asyncpg/"),
    ("JSON encode/decode (anywhere)", "json/"),
)
#: The catalog while a bulk post job runs.
CATALOG_POST_STEPS: Steps = (
    ("one product's post", "Poster.post ("),
    ("  readiness, records, media list", "Poster._prepare ("),
    ("    readiness check", "check (services/catalog/readiness/service.py"),
    ("  uploads (images, files)", "Poster._upload ("),
    ("  store the answer + events", "Poster._posted ("),
    ("TikTok calls (sign + HTTP, anywhere)", "TikTokClient._attempt ("),
    ("asyncpg (anywhere)", "asyncpg/"),
    ("JSON encode/decode (anywhere)", "json/"),
)
#: The sandbox while the inventory scenario runs: the bench's own poll vs the calls it serves.
SANDBOX_INVENTORY_STEPS: Steps = (
    ("bench poll: GET /sandbox/shops/{id}/products", "shop_products (libs/sandbox/product_routes.py"),
    ("inventory/update calls (the catalog's)", "update_inventory (libs/sandbox/product_routes.py"),
    ("request verification (sign, token, limit)", "_verify (libs/sandbox/security.py"),
    ("JSON encode/decode (anywhere)", "json/"),
)
#: (scenario, process) -> the steps its profile is summarised by
STEPS: dict[tuple[str, str], Steps] = {
    ("orders", "orders"): ORDERS_STEPS,
    ("inventory", "catalog"): CATALOG_STEPS,
    ("inventory", "sandbox"): SANDBOX_INVENTORY_STEPS,
    ("catalog", "catalog"): CATALOG_LOAD_STEPS,
    ("posting", "catalog"): CATALOG_POST_STEPS,
}
RATE_HZ = 200


@dataclass
class Profile:
    steps: Steps = ()
    samples: int = 0
    inclusive: Counter[str] = field(default_factory=Counter)
    leaves: Counter[str] = field(default_factory=Counter)


class Sampler:
    """``py-spy record`` on ``pid`` until :meth:`stop`."""

    def __init__(self, pid: int, out: Path, steps: Steps = ()) -> None:
        exe = shutil.which("py-spy") or str(Path(sys.executable).with_name("py-spy"))
        self.out = out
        self.steps = steps
        self.proc = subprocess.Popen(
            [exe, "record", "--pid", str(pid), "--format", "raw", "--output", str(out), "--rate", str(RATE_HZ),
             "--nonblocking"],
            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
        )

    def stop(self) -> Profile:
        self.proc.send_signal(signal.SIGINT)
        try:
            _, err = self.proc.communicate(timeout=60)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            raise
        if not self.out.exists():
            raise RuntimeError(f"py-spy wrote no profile: {err.decode(errors='replace')[-500:]}")
        return parse(self.out.read_text(), self.steps)


def parse(raw: str, steps: Steps = ()) -> Profile:
    profile = Profile(steps)
    for line in raw.splitlines():
        stack, _, count_text = line.rpartition(" ")
        if not stack or not count_text.isdigit():
            continue
        count = int(count_text)
        frames = stack.split(";")
        profile.samples += count
        for label, needle in steps:
            if any(needle in f for f in frames):
                profile.inclusive[label] += count
        profile.leaves[frames[-1]] += count
    return profile


def available() -> bool:
    return bool(shutil.which("py-spy") or Path(sys.executable).with_name("py-spy").exists())
