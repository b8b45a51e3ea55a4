"""`ttshop catalog …`: product import (R41) and the inventory/price upload state of a SKU (R40)."""

from __future__ import annotations

from typing import Any

import typer

from . import product_posting, product_records, render, taxonomy
from .arguments import segment
from .client import console, emit_json, reported, state

app = typer.Typer(help="Products, listings, inventory and price (catalog service).", no_args_is_help=True)
products = typer.Typer(help="Our products and their TikTok listings.", no_args_is_help=True)
inventory = typer.Typer(help="Stock levels and their upload to TikTok.", no_args_is_help=True)
prices = typer.Typer(help="Prices and their upload to TikTok.", no_args_is_help=True)
app.add_typer(products, name="products")
app.add_typer(inventory, name="inventory")
app.add_typer(prices, name="prices")
products.command("upsert")(product_records.upsert)
products.command("export")(product_records.export)
products.command("check")(product_records.check)
products.command("post")(product_posting.post)
products.command("update")(product_posting.update)
app.add_typer(taxonomy.categories, name="categories")
app.add_typer(taxonomy.attributes, name="attributes")
app.add_typer(taxonomy.brands, name="brands")


@products.command("import")
def import_products(ctx: typer.Context, shop: str = typer.Argument(..., help="TikTok shop id.")) -> None:
    """Download the shop's active listings once and match them to our SKUs (by merchant SKU and product id)."""
    st = state(ctx)
    with reported():
        body = st.client("catalog").post(f"/shops/{segment(shop)}/import")
    if st.json_output:
        emit_json(body)
        return
    console.print(
        f"Imported {body.get('listings', 0)} listing(s) with {body.get('skus', 0)} SKU(s) from shop {shop}: "
        f"{body.get('matched', 0)} matched, {body.get('unmatched', 0)} unmatched; "
        f"{body.get('parents_matched', 0)} of {body.get('parents', 0)} variation parent(s) matched by product id."
    )
    unmatched = body.get("unmatched_skus") or []
    if unmatched:
        console.print("Unmatched TikTok SKUs: " + ", ".join(str(s) for s in unmatched))


@products.command("show")
def show_product(ctx: typer.Context, sku: str = typer.Argument(..., help="Our seller SKU.")) -> None:
    """A SKU of ours with its TikTok listings and how they were matched."""
    st = state(ctx)
    with reported():
        body = st.client("catalog").get(f"/products/{segment(sku)}")
    if st.json_output:
        emit_json(body)
        return
    render.key_values(f"SKU {sku}", body, skip=("listings", "links", "record", "readiness", "postings"))
    record = body.get("record") or {}
    shown = {k: v for k, v in record.items() if v not in (None, "", [], {}) and k not in ("seller_sku", "version")}
    if shown:
        render.key_values("record", shown)
    render.table(
        "TikTok listings", ("shop", "product id", "sku id", "tiktok seller sku", "title", "status", "parent product",
                            "matched by"),
        ((render.pick(r, "shop_id"), render.pick(r, "product_id"), render.pick(r, "sku_id", default="(parent)"),
          render.pick(r, "seller_sku"), render.pick(r, "title"), render.pick(r, "status"),
          render.pick(r, "parent_product_id"), render.pick(r, "matched_by"))
         for r in render.items(body, "listings")),
    )
    for p in render.items(body, "postings"):
        console.print(f"Shop {p['shop_id']}: {listing_state(p)}", soft_wrap=True)
    render.table("Readiness per shop (R32-R37; `products check SKU --shop SHOP` for the problems)",
                 ("shop", "ready", "problems", "checked version", "checked at"),
                 ((r["shop_id"], "yes" if r["ready"] else "no", r["problems"], r["checked_version"], r["checked_at"])
                  for r in render.items(body, "readiness")))


#: TikTok's listing statuses in plain words (R43).
STATUS_WORDS = {
    "PENDING": "in TikTok's review", "ACTIVATE": "live on TikTok", "FAILED": "rejected by TikTok's review",
    "SELLER_DEACTIVATED": "deactivated by the seller", "PLATFORM_DEACTIVATED": "suspended by TikTok",
    "FREEZE": "frozen by TikTok", "DELETED": "deleted", "DRAFT": "a draft on TikTok",
}


def listing_state(p: dict[str, Any]) -> str:
    if p.get("state") == "failed":
        errors = "; ".join(f"{e.get('code')}: {e.get('message')}" + (f" — {e['fix']}" if e.get("fix") else "")
                           for e in p.get("errors") or [])
        return f"not posted: TikTok refused it ({errors})"
    if p.get("state") == "posting":
        return "being posted (a retry answers the same TikTok product)"
    words = STATUS_WORDS.get(str(p.get("tiktok_status")), str(p.get("tiktok_status")))
    text = f"TikTok product {p.get('product_id')}, {words}"
    if p.get("live") and p.get("tiktok_status") != "ACTIVATE":
        text += " (the approved version stays on sale meanwhile)"
    if p.get("errors"):
        text += "; the last update was refused: " + "; ".join(f"{e.get('code')}: {e.get('message')}"
                                                            for e in p["errors"])
    if p.get("posted_version") is not None and p.get("record_version", 0) > p["posted_version"]:
        text += (f"; the record (version {p['record_version']}) changed since version {p['posted_version']} was sent:"
                 " `ttshop catalog products update --partial` sends it")
    for r in p.get("audit_failed_reasons") or []:
        text += f"; {r.get('position') or 'product'}: {', '.join(r.get('reasons') or [])}"
        if r.get("suggestions"):
            text += f" (suggested: {', '.join(r['suggestions'])})"
    return text


def _buffer(r: dict[str, Any]) -> str:
    """The shop's R46 safety stock and out-of-stock threshold, as they shape what is sent."""
    held = str(r.get("buffer") or "0")
    threshold = int(r.get("out_of_stock_threshold") or 0)
    parts = ([f"-{held}"] if held != "0" else []) + ([f"0 at <= {threshold}"] if threshold else [])
    return ", ".join(parts) or "none"


def _show(ctx: typer.Context, sku: str, path: str, level: str) -> None:
    st = state(ctx)
    with reported():
        body: dict[str, Any] = st.client("catalog").get(f"/{path}/{segment(sku)}")
    if st.json_output:
        emit_json(body)
        return
    rows = render.items(body, "shops")
    buffered = path == "inventory"
    render.table(
        f"SKU {sku}: {path} per TikTok shop",
        ("shop", "product id", "sku id", "our level", *(("buffer (R46)",) if buffered else ()), "sent", "status",
         "sent at", "error"),
        ((render.pick(r, "shop_id"), render.pick(r, "product_id"), render.pick(r, "sku_id"), render.pick(r, level),
          *((_buffer(r),) if buffered else ()), render.pick(r, "sent"), render.pick(r, "upload_status"),
          render.pick(r, "sent_at"), render.pick(r, "error")) for r in rows),
    )
    if body.get("note"):
        console.print(str(body["note"]))


sync = typer.Typer(help="The stock and price sync to TikTok (R40).", no_args_is_help=True)
app.add_typer(sync, name="sync")


@sync.command("status")
def sync_status(ctx: typer.Context,
                shop: str | None = typer.Option(None, "--shop", help="One shop (default: every shop).")) -> None:
    """Per shop: changes waiting and the lag, calls in the last minute against TikTok's limit, the last
    success, and failures with TikTok's code (`catalog inventory show SKU` has each SKU's detail)."""
    st = state(ctx)
    with reported():
        body = st.client("catalog").get("/sync/status", shop=shop)
    if st.json_output:
        emit_json(body)
        return
    render.table("Sync to TikTok (R40)", ("shop", "kind", "waiting", "lag", "calls / min (limit)", "last success",
                                          "failed", "skipped"),
                 ((r["shop_id"], r["kind"], r["waiting"], f"{r['lag_s']:.1f} s",
                   f"{r['calls_last_minute']} ({r['limit_per_minute']})", r["last_success_at"] or "never",
                   r["failed"], r["skipped"]) for r in body["shops"]))
    for r in body["shops"]:
        for f in r["failures"]:
            console.print(f"  {r['shop_id']} {r['kind']}: {f['skus']} SKU(s) failed with {f['code']}: {f['example']}",
                          soft_wrap=True)


shadows = typer.Typer(help="Shadow SKUs (R42): a SKU whose listings take the stock of a master SKU.",
                      no_args_is_help=True)
app.add_typer(shadows, name="shadows")


@shadows.command("link")
def link_shadow(
    ctx: typer.Context,
    shadow: str = typer.Argument(..., help="The shadow SKU (its listings take the master's stock)."),
    master: str = typer.Option(..., "--master", help="The master SKU whose stock they take."),
) -> None:
    """Link a shadow to its master: from now on the master's stock changes go to the shadow's listings too
    (each through its own shop's buffer and switches), starting with the master's stock now."""
    st = state(ctx)
    with reported():
        body = st.client("catalog").post("/shadows", {"shadow_sku": shadow, "master_sku": master})
    if st.json_output:
        emit_json(body)
        return
    console.print(f"{shadow} now follows {master}'s stock; {body['uploads_queued']} listing update(s) queued.")


@shadows.command("unlink")
def unlink_shadow(ctx: typer.Context, shadow: str = typer.Argument(..., help="The shadow SKU.")) -> None:
    """Stop following the master: the shadow's own stock (if any is known) goes to its listings again."""
    st = state(ctx)
    with reported():
        body = st.client("catalog").delete(f"/shadows/{segment(shadow)}")
    if st.json_output:
        emit_json(body)
        return
    console.print(f"{shadow} no longer follows {body['master_sku']}; {body['uploads_queued']} listing update(s) "
                  "queued." + (f" {body['note']}" if body.get("note") else ""))


@shadows.command("list")
def list_shadows(ctx: typer.Context) -> None:
    """Every shadow with its master and how many TikTok listings it drives."""
    st = state(ctx)
    with reported():
        body = st.client("catalog").get("/shadows")
    if st.json_output:
        emit_json(body)
        return
    render.table("Shadow SKUs (R42)", ("shadow", "master", "listings", "linked at"),
                 ((r["shadow_sku"], r["master_sku"], r["listings"], r["linked_at"]) for r in body["shadows"]))


@inventory.command("show")
def show_inventory(ctx: typer.Context, sku: str = typer.Argument(..., help="Our seller SKU.")) -> None:
    """Per shop: our level, what was sent to TikTok, the upload status, error and when it was sent (R40)."""
    _show(ctx, sku, "inventory", "our_level")


@prices.command("show")
def show_prices(ctx: typer.Context, sku: str = typer.Argument(..., help="Our seller SKU.")) -> None:
    """Per shop: our price, what was sent to TikTok, the upload status, error and when it was sent (R40)."""
    _show(ctx, sku, "prices", "our_price")
