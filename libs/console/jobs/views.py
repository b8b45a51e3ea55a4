"""What the jobs pages show, from the orders service's ``GET /jobs`` (range downloads, R11) and the catalog's
``GET /jobs`` (attribute downloads, bulk and auto posts): status, a progress bar, counts and errors, in the
words of `ttshop jobs show` and `ttshop orders download`."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from urllib.parse import quote

from libs.cli.jobs import FAILURE_STATUSES, SUCCESS_STATUSES, job_status
from libs.cli.shop_status import parse_time

from ..formatting import when

#: The services that run jobs, in the order their jobs are asked for.
JOB_SERVICES = ("orders", "catalog")
#: Statuses of a job that is not finished yet (its page keeps refreshing).
ACTIVE_STATUSES = {"queued", "running", "paused"}


@dataclass(frozen=True)
class Progress:
    """A ``<progress>``: ``value`` of ``max``; ``value`` None is an indeterminate (moving) bar; ``shown`` False
    for a job that ended without anything to measure."""

    value: float | None
    max: float
    shown: bool = True


@dataclass(frozen=True)
class JobRow:
    service: str
    id: str
    kind: str
    shop_id: str
    status: str
    status_class: str
    active: bool
    progress: Progress
    counts: str
    error: str | None
    errors: list[tuple[str, str]]
    span: str
    created_at: str | None
    updated_at: str | None
    finished_at: str | None

    @property
    def href(self) -> str:
        return f"/jobs/{self.service}/{quote(self.id, safe='')}"


def status_class(status: str) -> str:
    if status in SUCCESS_STATUSES:
        return "good"
    if status in FAILURE_STATUSES:
        return "bad"
    return "warn" if status == "paused" else ""


def _int(job: dict[str, Any], key: str) -> int:
    value = job.get(key)
    return int(value) if isinstance(value, (int, float)) else 0


def _progress(status: str, done: int, total: int | None) -> Progress:
    if total:
        return Progress(float(min(done, total)), float(total))
    if status in SUCCESS_STATUSES:
        return Progress(1.0, 1.0)
    if status in FAILURE_STATUSES:
        return Progress(0.0, 1.0, shown=False)
    return Progress(None, 1.0)  # an order download does not know how many pages there are


def catalog_counts(job: dict[str, Any]) -> str:
    """``3 of 10 done, 1 failed; 2 posted (1 in review, 1 live, 0 rejected), 7 waiting`` (as `jobs show`)."""
    text = f"{_int(job, 'done')} of {_int(job, 'total')} done, {_int(job, 'failed')} failed"
    if "posted" in job:
        text += (f"; {_int(job, 'posted')} posted ({_int(job, 'in_review')} in review, {_int(job, 'live')} live, "
                 f"{_int(job, 'rejected')} rejected), {_int(job, 'waiting')} waiting")
    return text


def orders_counts(job: dict[str, Any]) -> str:
    """``pages 2, orders 40 (12 new)`` (as `orders download` follows a job)."""
    new = job.get("orders_new")
    orders = job.get("orders_done", job.get("orders_seen", 0)) or 0
    return f"pages {_int(job, 'pages_done')}, orders {orders}" + (f" ({new} new)" if new is not None else "")


def _errors(job: dict[str, Any]) -> list[tuple[str, str]]:
    found = []
    for e in job.get("errors") or []:
        if isinstance(e, dict):
            subject = e.get("category_id") or e.get("seller_sku") or e.get("order_id") or ""
            found.append((str(subject), str(e.get("error") or "")))
    return found


def job_row(service: str, job: dict[str, Any]) -> JobRow:
    status = job_status(job)
    catalog = "total" in job
    total = _int(job, "total") if catalog else None
    error = job.get("error")
    if catalog:
        span = ""
    else:
        start, end = job.get("from"), job.get("to")
        span = f"{when(start)} → {when(end)}" if start or end else ""
    return JobRow(
        service=service, id=str(job.get("id") or job.get("job_id") or ""),
        kind=str(job.get("kind") or ("job" if catalog else "order download")), shop_id=str(job.get("shop_id") or ""),
        status=status, status_class=status_class(status), active=status in ACTIVE_STATUSES,
        progress=_progress(status, _int(job, "done"), total),
        counts=catalog_counts(job) if catalog else orders_counts(job),
        error=str(error) if error else None, errors=_errors(job), span=span,
        created_at=job.get("created_at"), updated_at=job.get("updated_at"), finished_at=job.get("finished_at"),
    )


def job_rows(answers: dict[str, Any]) -> list[JobRow]:
    """Every service's jobs (``{service: GET /jobs answer}``), newest first."""
    rows = []
    for service, body in answers.items():
        jobs = body.get("jobs", []) if isinstance(body, dict) else []
        rows += [job_row(service, j) for j in jobs if isinstance(j, dict)]
    oldest = datetime.min.replace(tzinfo=UTC)
    return sorted(rows, key=lambda r: (parse_time(r.created_at) or oldest, r.id), reverse=True)


def summary(rows: list[JobRow]) -> str:
    """``2 running, 1 queued, 5 done, 1 failed`` (statuses in that order, then any other)."""
    counts = Counter(r.status for r in rows)
    order = ["running", "queued", "paused", "done", "failed"]
    parts = [f"{counts[s]} {s}" for s in order if counts[s]]
    parts += [f"{n} {s}" for s, n in sorted(counts.items()) if s not in order]
    return ", ".join(parts) if parts else "no job"
