"""Sampling profile of a running process with py-spy (attached by pid, no restart, no code change),
summarised as inclusive time of the steps of the download path and the hottest leaf functions."""

from __future__ import annotations

import shutil
import signal
import subprocess
import sys
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

#: Steps of the order download path: (label, substring of the frame "function (file:line)").
STEPS = (
    ("job loop (whole page cycle)", "run_next_job (services/orders/jobs.py"),
    ("  TikTok page fetch (HTTP + JSON)", "created_page (services/orders/tiktok.py"),
    ("  ingest_page (map + SQL + outbox)", "ingest_page (services/orders/service.py"),
    ("    map TikTok -> domain", "_map (services/orders/service.py"),
    ("    build events (pydantic)", "order_downloaded (services/orders/events.py"),
    ("    CloudEvent wrap", "new_event ("),
    ("    insert orders", "insert_new_orders ("),
    ("    replace lines", "replace_lines ("),
    ("    outbox insert", "enqueue_many ("),
    ("outbox relay (publish)", "OutboxRelay"),
    ("JSON encode/decode (anywhere)", "json/"),
)
RATE_HZ = 200


@dataclass
class Profile:
    samples: int = 0
    inclusive: Counter[str] = field(default_factory=Counter)
    leaves: Counter[str] = field(default_factory=Counter)


class Sampler:
    """``py-spy record`` on ``pid`` until :meth:`stop`."""

    def __init__(self, pid: int, out: Path) -> None:
        exe = shutil.which("py-spy") or str(Path(sys.executable).with_name("py-spy"))
        self.out = out
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
        return parse(self.out.read_text())


def parse(raw: str) -> Profile:
    profile = Profile()
    for line in raw.splitlines():
        stack, _, count_text = line.rpartition(" ")
        if not stack or not count_text.isdigit():
            continue
        count = int(count_text)
        frames = stack.split(";")
        profile.samples += count
        for label, needle in STEPS:
            if any(needle in f for f in frames):
                profile.inclusive[label] += count
        profile.leaves[frames[-1]] += count
    return profile


def available() -> bool:
    return bool(shutil.which("py-spy") or Path(sys.executable).with_name("py-spy").exists())
