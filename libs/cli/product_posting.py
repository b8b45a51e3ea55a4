"""`ttshop catalog products post|update`: a ready product to TikTok (R38, R39, R45), many at once as one
job (R44), and an update of one already there (R38). Registered on the `products` group in ``catalog.py``."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from . import render
from .arguments import segment
from .client import UsageError, console, emit_json, reported, state
from .jobs import job_line, wait_for_job


def post(
    ctx: typer.Context,
    sku: Annotated[str | None, typer.Argument(help="Our seller SKU (a matrix parent posts its children with it).")] = None,
    shop: Annotated[str, typer.Option("--shop", help="TikTok shop id to post to.")] = "",
    all_ready: Annotated[bool, typer.Option("--all-ready", help="Every ready product not yet on TikTok: a job.")] = False,
    skus: Annotated[Path | None, typer.Option("--skus", metavar="FILE", help="A file of SKUs, one per line: a job.")] = None,
    wait: Annotated[bool, typer.Option("--wait/--no-wait", help="Follow a bulk job until it finishes.")] = True,
    timeout_s: Annotated[float, typer.Option("--timeout", help="Seconds to follow a bulk job.")] = 3600.0,
) -> None:
    """Post a ready product to TikTok (readiness, media, TikTok's listing check, then one create: R38, R45),
    or many at once as one queued job (R44) that pauses at TikTok's daily limit and resumes by itself."""
    st = state(ctx)
    with reported():
        if not shop:
            raise UsageError("--shop SHOP is required")
        if sum((sku is not None, all_ready, skus is not None)) != 1:
            raise UsageError("give a SKU, --all-ready or --skus FILE (exactly one)")
        client = st.client("catalog")
        if sku is not None:
            body = client.post(f"/shops/{segment(shop)}/products/{segment(sku)}/post")
        else:
            listed = [] if skus is None else [line.strip() for line in skus.read_text().splitlines() if line.strip()]
            body = client.post(f"/shops/{segment(shop)}/posts", {"all_ready": all_ready, "skus": listed})
            if wait:
                body = wait_for_job(client, str(body["id"]), timeout_s=timeout_s)
    if st.json_output:
        emit_json(body)
        return
    if sku is None:
        console.print(job_line(body))
        for e in body.get("errors") or []:
            console.print(f"  {e['seller_sku']}: {e['error']}", soft_wrap=True)
        return
    if body["state"] == "posted":
        ids = ", ".join(f"{k}={v}" for k, v in (body.get("sku_ids") or {}).items())
        console.print(f"{sku} posted to shop {shop}: TikTok product {body['product_id']} ({ids}); "
                      f"TikTok status {body.get('tiktok_status') or 'PENDING'} (in review until TikTok decides).")
        return
    console.print(f"{sku} was not posted to shop {shop}: TikTok refused it.")
    render.table(None, ("code", "problem", "what to do"),
                 ((e.get("code"), e.get("message"), e.get("fix") or "") for e in body.get("errors") or []))
    raise typer.Exit(1)


UPDATE_MODES = ("partial", "full", "inventory", "price")


def update(
    ctx: typer.Context,
    sku: Annotated[str, typer.Argument(help="Our seller SKU of a posted product (a matrix parent for its children).")],
    shop: Annotated[str, typer.Option("--shop", help="TikTok shop id the product is on.")] = "",
    partial: Annotated[bool, typer.Option("--partial", help="Send the fields changed since the last post "
                                          "(title, description, category, attributes, images, variations).")] = False,
    full: Annotated[bool, typer.Option("--full", help="Replace the whole product with our record "
                                       "(TikTok blanks what the record leaves out).")] = False,
    inventory: Annotated[bool, typer.Option("--inventory", help="Send today's stock now (no review).")] = False,
    price: Annotated[bool, typer.Option("--price", help="Send today's price now (no review).")] = False,
) -> None:
    """Update a product already on TikTok. An edit (--partial, --full) goes back to TikTok's review, while the
    approved version stays on sale; --inventory / --price push today's levels and say what TikTok took."""
    st = state(ctx)
    chosen = [m for m, on in zip(UPDATE_MODES, (partial, full, inventory, price), strict=True) if on]
    with reported():
        if not shop:
            raise UsageError("--shop SHOP is required")
        if len(chosen) != 1:
            raise UsageError("give exactly one of --partial, --full, --inventory, --price")
        body = st.client("catalog").post(f"/shops/{segment(shop)}/products/{segment(sku)}/update", {"mode": chosen[0]})
    if st.json_output:
        emit_json(body)
        return
    if chosen[0] in ("inventory", "price"):
        _pushed(body)
        return
    if body.get("refused"):
        console.print(f"TikTok refused the update of {sku} on shop {shop}; the product on TikTok is unchanged.")
        render.table(None, ("code", "problem", "what to do"),
                     ((e.get("code"), e.get("message"), e.get("fix") or "") for e in body.get("errors") or []))
        raise typer.Exit(1)
    changes = ", ".join(body.get("fields") or []) or "the whole product"
    console.print(f"{sku} updated on shop {shop} (TikTok product {body['product_id']}, {chosen[0]}): {changes}; "
                  "back in TikTok's review.")
    for label, key in (("variations added", "skus_added"), ("variations removed", "skus_removed")):
        if body.get(key):
            console.print(f"  {label}: {', '.join(body[key])}")


def _pushed(body: dict[str, Any]) -> None:
    kind = body["kind"]
    render.table(f"{body['seller_sku']}: {kind} sent to TikTok product {body['product_id']}",
                 ("seller sku", "sku id", "status", kind, "error"),
                 ((r["seller_sku"], r["sku_id"], r["status"],
                   r["quantity"] if kind == "inventory" else f"{r['amount']} {r['currency']}", r.get("error") or "")
                  for r in body.get("skus") or []))
    if body.get("no_level"):
        console.print(f"No {kind} is known for {', '.join(body['no_level'])}: nothing was sent for "
                      + ("them (publish an InventoryChanged first)." if kind == "inventory" else "them."))
    if any(r["status"] in ("failed", "pending") for r in body.get("skus") or []):
        raise typer.Exit(1)
