"""`ttshop catalog categories|attributes|brands …`: TikTok's taxonomy for a shop (R30, R31, R35, R37)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from . import render
from .arguments import segment
from .client import UsageError, console, emit_json, reported, state
from .jobs import job_line, wait_for_job

categories = typer.Typer(help="TikTok's category tree of a shop (R30).", no_args_is_help=True)
attributes = typer.Typer(help="Product attributes and category rules (R31, R37).", no_args_is_help=True)
brands = typer.Typer(help="Brands and their authorisation per category (R35).", no_args_is_help=True)


def _names(body: dict[str, Any], key: str) -> str:
    found = (body.get("examples") or {}).get(key) or []
    shown = ", ".join(f"{c['name']} ({c['id']})" for c in found[:5])
    more = body.get(key, 0) - len(found[:5])
    return shown + (f" and {more} more" if more > 0 else "")


@categories.command("download")
def download_categories(ctx: typer.Context, shop: str = typer.Argument(..., help="TikTok shop id.")) -> None:
    """Download the shop's category tree; a re-download updates it in place and says what changed."""
    st = state(ctx)
    with reported():
        body = st.client("catalog").post(f"/shops/{segment(shop)}/categories/download")
    if st.json_output:
        emit_json(body)
        return
    console.print(f"Shop {shop}: {body['total']} categories, {body['leaves']} leaves; "
                  f"{body['added']} added, {body['removed']} removed, {body['changed']} changed, "
                  f"{body['now_invite_only']} now invite-only.")
    for key, label in (("removed", "Removed"), ("now_invite_only", "Now invite-only (needs TikTok's approval)")):
        if body.get(key) and body.get("added") != body.get("total"):
            console.print(f"{label}: {_names(body, key)}")


@categories.command("list")
def list_categories(
    ctx: typer.Context,
    shop: str = typer.Argument(..., help="TikTok shop id."),
    search: str | None = typer.Option(None, "--search", metavar="WORD", help="Only categories whose path has WORD."),
    leaf: bool = typer.Option(False, "--leaf", help="Only leaf categories (the ones a product can use)."),
    limit: int = typer.Option(200, "--limit", min=1, help="At most this many rows."),
) -> None:
    """Categories of the downloaded tree with their full path and permission."""
    st = state(ctx)
    with reported():
        body = st.client("catalog").get(f"/shops/{segment(shop)}/categories", search=search, leaf=leaf or None, limit=limit)
    if st.json_output:
        emit_json(body)
        return
    render.table(f"{body['total']} categories", ("id", "path", "leaf", "permission"),
                 ((c["id"], c["path"], "yes" if c["is_leaf"] else "no", c["permission"])
                  for c in render.items(body, "categories")))


@categories.command("export")
def export_categories(
    ctx: typer.Context,
    shop: Annotated[str, typer.Argument(help="TikTok shop id.")],
    out: Annotated[Path, typer.Option("--out", metavar="F.xlsx|F.csv", help="File to write (.xlsx or .csv).")],
) -> None:
    """Every category with its id, name, parent, full path, leaf flag and permission, as a spreadsheet."""
    st = state(ctx)
    with reported():
        if out.suffix.lower() not in (".xlsx", ".csv"):
            raise UsageError(f"--out must end in .xlsx or .csv, got {out.name!r}")
        data = st.client("catalog").download(f"/shops/{segment(shop)}/categories/export", filename=out.name)
        out.write_bytes(data)
    emit_json({"file": str(out), "bytes": len(data)}) if st.json_output else console.print(
        f"Wrote {out} ({len(data):,} bytes).")


@attributes.command("download")
def download_attributes(
    ctx: typer.Context,
    shop: str = typer.Argument(..., help="TikTok shop id."),
    category: str | None = typer.Option(None, "--category", metavar="ID", help="One category."),
    used: bool = typer.Option(False, "--used", help="The categories our products use."),
    all_leaves: bool = typer.Option(False, "--all-leaves", help="Every leaf category (a long job)."),
    wait: bool = typer.Option(True, "--wait/--no-wait", help="Follow the job until it finishes."),
    timeout_s: float = typer.Option(3600.0, "--timeout", help="Seconds to follow the job."),
) -> None:
    """Download attributes (required ones flagged) and category rules as a queued job with progress."""
    st = state(ctx)
    with reported():
        if sum((category is not None, used, all_leaves)) != 1:
            raise UsageError("give exactly one of --category ID, --used or --all-leaves")
        client = st.client("catalog")
        job = client.post(f"/shops/{segment(shop)}/attributes/download",
                          {"category_id": category, "used": used, "all_leaves": all_leaves})
        if wait:
            job = wait_for_job(client, str(job["id"]), timeout_s=timeout_s)
    if st.json_output:
        emit_json(job)
        return
    console.print(job_line(job))
    for error in job.get("errors") or []:
        console.print(f"  category {error['category_id']}: {error['error']}")


@attributes.command("show")
def show_attributes(
    ctx: typer.Context,
    shop: Annotated[str, typer.Argument(help="TikTok shop id.")],
    category: Annotated[str, typer.Argument(help="Category id.")],
) -> None:
    """A category's attributes (required ones flagged, with their values) and its rules."""
    st = state(ctx)
    with reported():
        body = st.client("catalog").get(f"/shops/{segment(shop)}/categories/{segment(category)}/attributes")
    if st.json_output:
        emit_json(body)
        return
    render.table(f"category {category}: attributes", ("id", "name", "type", "required", "values"),
                 ((a["id"], a["name"], a["type"], "yes" if a["required"] else "",
                   ", ".join(v["name"] for v in a["values"][:8]) + (" …" if len(a["values"]) > 8 else ""))
                  for a in body["attributes"]))
    certs = [c["name"] + (" (required)" if c["required"] else "") for c in body["certifications"]]
    if certs:
        console.print("Certifications: " + "; ".join(certs))


@brands.command("download")
def download_brands(
    ctx: typer.Context,
    shop: str = typer.Argument(..., help="TikTok shop id."),
    category: Annotated[list[str] | None, typer.Option(
        "--category", metavar="ID", help="Categories to read authorisations for (default: those our products use).",
    )] = None,
) -> None:
    """Download the shop's brands and which are authorised for each category."""
    st = state(ctx)
    with reported():
        body = st.client("catalog").post(f"/shops/{segment(shop)}/brands/download",
                                         {"category_ids": list(category) if category else None})
    if st.json_output:
        emit_json(body)
        return
    per = ", ".join(f"{cid}: {n} authorised" for cid, n in (body.get("categories") or {}).items())
    console.print(f"Shop {shop}: {body['brands']} brands" + (f"; {per}" if per else "") + ".")
    for category_id, error in (body.get("refused") or {}).items():
        console.print(f"  category {category_id}: {error}")
