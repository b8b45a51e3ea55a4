"""`ttshop jobs …`: background jobs: order downloads (orders service) and taxonomy downloads (catalog)."""

from __future__ import annotations

import time
from typing import Any

import typer

from . import render
from .arguments import segment
from .client import AdminClient, ApiError, CliError, console, emit_json, reported, state

app = typer.Typer(help="Background jobs (order downloads, attribute downloads).", no_args_is_help=True)
#: Services that run jobs, asked in this order (job ids are UUIDs, unique across services).
JOB_SERVICES = ("orders", "catalog")

SUCCESS_STATUSES = {"done", "succeeded", "success", "completed", "finished"}
FAILURE_STATUSES = {"failed", "error", "cancelled", "canceled"}


def job_status(job: dict[str, Any]) -> str:
    return str(render.pick(job, "status", "state", default="unknown")).lower()


def job_line(job: dict[str, Any]) -> str:
    if "total" in job:  # a catalog job: items (categories, products) done of total
        line = (f"job {render.pick(job, 'id')}: {job_status(job)} — {render.pick(job, 'kind', default='job')}: "
                f"{job.get('done', 0)} of {job.get('total', 0)} done, {job.get('failed', 0)} failed")
        if "posted" in job:
            line += (f"; {job['posted']} posted ({job.get('in_review', 0)} in review, {job.get('live', 0)} live, "
                     f"{job.get('rejected', 0)} rejected), {job.get('waiting', 0)} waiting")
        error = job.get("error")
        return line + (f" — {render.text(error)}" if error else "")
    orders = render.pick(job, "orders_done", "orders_seen", default=0)
    new = render.pick(job, "orders_new", default=None)
    line = (
        f"job {render.pick(job, 'id', 'job_id')}: {job_status(job)} — "
        f"pages {render.pick(job, 'pages_done', default=0)}, orders {orders}" + (f" ({new} new)" if new is not None else "")
    )
    error = render.pick(job, "error", default=None)
    return line + (f" — error: {render.text(error)}" if error else "")


def wait_for_job(client: AdminClient, job_id: str, *, timeout_s: float, interval_s: float = 0.5) -> dict[str, Any]:
    """Poll ``GET /jobs/{id}`` showing progress until the job finishes; raise if it fails or times out."""
    deadline = time.monotonic() + timeout_s
    with console.status(f"job {job_id}: waiting") as status:
        while True:
            job = client.get(f"/jobs/{segment(job_id)}")
            status.update(job_line(job))
            if job_status(job) in SUCCESS_STATUSES:
                return dict(job)
            if job_status(job) in FAILURE_STATUSES:
                raise CliError(job_line(job))
            if time.monotonic() > deadline:
                raise CliError(
                    f"job {job_id} still {job_status(job)} after {timeout_s:.0f}s; "
                    f"check later with `ttshop jobs show {job_id}`"
                )
            time.sleep(interval_s)


@app.command("show")
def show(ctx: typer.Context, job_id: str = typer.Argument(..., metavar="ID", help="Job id.")) -> None:
    """Status and progress of one job."""
    st = state(ctx)
    with reported():
        job = find_job(st, job_id)
    emit_json(job) if st.json_output else render.key_values(f"job {job_id}", job)


def find_job(st: Any, job_id: str) -> dict[str, Any]:
    """The job from whichever service runs it."""
    last: ApiError | None = None
    for service in JOB_SERVICES:
        try:
            return dict(st.client(service).get(f"/jobs/{segment(job_id)}"))
        except ApiError as exc:
            if exc.status != 404:
                raise
            last = exc
    assert last is not None
    raise CliError(f"no job {job_id} in the orders or catalog service")
