"""`ttshop shops …`: connect, inspect, test, refresh, configure and disconnect shops (auth service)."""

from __future__ import annotations

from typing import Any

import typer

from . import render, shop_status
from .arguments import segment
from .client import console, emit_json, reported, state
from .validation import identifier_priority, inventory_buffer, on_off

app = typer.Typer(help="Connect and manage TikTok shops (auth service).", no_args_is_help=True)

def _check_on_off(value: str | None) -> str | None:
    on_off(value)
    return value


def _check_identifiers(value: str | None) -> str | None:
    identifier_priority(value)
    return value


def _switch(flag: str) -> Any:
    return typer.Option(None, flag, metavar="on|off", callback=_check_on_off, show_default=False)


def _shop_id(shop: dict[str, Any]) -> str:
    return str(render.pick(shop, "shop_id", "id"))


def _switches_on(shop: dict[str, Any]) -> list[str]:
    settings = shop.get("settings") if isinstance(shop.get("settings"), dict) else {}
    return [key for key, value in (settings or {}).items() if value is True]


def show_shop(shop: dict[str, Any], title: str | None = None) -> None:
    console.print(f"status: {shop_status.plain_status(shop)}")
    if shop.get("access_token_expires_at"):
        console.print(f"access token expires: {shop_status.token_expiry(shop)}")
    render.key_values(title or f"shop {_shop_id(shop)}", shop, skip=("settings", "audit"))
    if isinstance(shop.get("settings"), dict):
        render.key_values("settings", shop["settings"])
    audit = render.items(shop.get("audit"))
    if audit:
        render.table("audit trail (newest first)", ("time (UTC)", "action", "outcome", "detail"),
                     shop_status.audit_rows(audit))


@app.command("connect")
def connect(
    ctx: typer.Context,
    auth_code: str = typer.Option(..., "--auth-code", help="Authorization code from the TikTok seller."),
    tax_id: str = typer.Option(..., "--tax-id", help="The seller's tax id (matched against the shop)."),
    name: str | None = typer.Option(None, "--name", help="Display name for the shop."),
) -> None:
    """Exchange an authorization code for tokens and register the shop."""
    st = state(ctx)
    with reported():
        shop = st.client("auth").post("/shops/connect", {"auth_code": auth_code, "tax_id": tax_id, "name": name})
    if st.json_output:
        emit_json(shop)
        return
    # One authorization can cover several shops of the seller; the service answers {"shops": [...]}.
    for connected in render.items(shop, "shops") or [shop]:
        console.print(f"Connected shop [bold]{_shop_id(connected)}[/] {render.text(render.pick(connected, 'name'))}")
        show_shop(connected)


@app.command("list")
def list_shops(ctx: typer.Context) -> None:
    """All connected shops."""
    st = state(ctx)
    with reported():
        body = st.client("auth").get("/shops")
    if st.json_output:
        emit_json(body)
        return
    shops = render.items(body, "shops")
    render.table(
        f"{len(shops)} shop(s)",
        ("shop id", "name", "region", "status", "tax id", "token expires", "switches on"),
        (
            (
                _shop_id(s), render.pick(s, "name"), render.pick(s, "region"), shop_status.plain_status(s),
                render.pick(s, "tax_id"),
                shop_status.token_expiry(s) or render.pick(s, "access_token_expire_in"),
                _switches_on(s),
            )
            for s in shops
        ),
    )


@app.command("show")
def show(ctx: typer.Context, shop: str = typer.Argument(..., help="Shop id.")) -> None:
    """One shop with its settings."""
    st = state(ctx)
    with reported():
        body = st.client("auth").get(f"/shops/{segment(shop)}")
    emit_json(body) if st.json_output else show_shop(body)


@app.command("test")
def test(ctx: typer.Context, shop: str = typer.Argument(..., help="Shop id.")) -> None:
    """Check the shop's credentials and settings against TikTok ("test settings"); exit 1 on problems."""
    st = state(ctx)
    with reported():
        body = st.client("auth").post(f"/shops/{segment(shop)}/test")
    problems = body.get("problems") or [] if isinstance(body, dict) else []
    ok = bool(render.pick(body, "ok", "success", default=not problems))
    if st.json_output:
        emit_json(body)
    else:
        console.print(f"shop {shop}: " + ("[green]OK[/]" if ok else "[red]problems found[/]"))
        for problem in problems:
            if isinstance(problem, dict):
                code = render.pick(problem, "code")
                console.print(f"  - {render.pick(problem, 'message', default=problem)}" + (f" ({code})" if code else ""))
            else:
                console.print(f"  - {problem}")
    if not ok:
        raise typer.Exit(1)


@app.command("refresh")
def refresh(ctx: typer.Context, shop: str = typer.Argument(..., help="Shop id.")) -> None:
    """Refresh the shop's access token now."""
    st = state(ctx)
    with reported():
        body = st.client("auth").post(f"/shops/{segment(shop)}/refresh")
    if st.json_output:
        emit_json(body)
        return
    expires = render.pick(body, "access_token_expires_at", "token_expires_at", default="(not reported)")
    console.print(f"Refreshed tokens of shop {shop}; access token expires {expires}")


def _check_buffer(value: str | None) -> str | None:
    """``N`` units (0 to 99999) or ``P%`` (0 to 100): anything else is refused with what was wrong."""
    return None if value is None else inventory_buffer(value)


@app.command("settings")
def settings(
    ctx: typer.Context,
    shop: str = typer.Argument(..., help="Shop id."),
    allow_inventory_upload: str | None = _switch("--allow-inventory-upload"),
    allow_price_upload: str | None = _switch("--allow-price-upload"),
    allow_order_download: str | None = _switch("--allow-order-download"),
    allow_tracking_upload: str | None = _switch("--allow-tracking-upload"),
    query_shipping_change: str | None = _switch("--query-shipping-change"),
    query_order_status_change: str | None = _switch("--query-order-status-change"),
    send_brand_info: str | None = _switch("--send-brand-info"),
    send_matrix_image: str | None = _switch("--send-matrix-image"),
    identifier_priority_: str | None = typer.Option(
        None, "--identifier-priority", metavar="UPC,EAN,GTIN,ISBN", callback=_check_identifiers,
        help="Product identifier order, e.g. UPC,EAN,GTIN,ISBN.", show_default=False,
    ),
    publish_on_hold_orders: str | None = _switch("--publish-on-hold-orders"),
    auto_post: str | None = _switch("--auto-post"),
    inventory_buffer: str | None = typer.Option(
        None, "--inventory-buffer", metavar="N|P%", callback=_check_buffer,
        help="R46 safety stock held back from TikTok: N units or P% of what is available (0: none).",
        show_default=False,
    ),
    out_of_stock_threshold: int | None = typer.Option(
        None, "--out-of-stock-threshold", metavar="N", min=0, max=99_999,
        help="R46: at or below N units available (after the buffer) TikTok is sent 0 (0: off).", show_default=False,
    ),
) -> None:
    """Change the shop's switches (only the flags given); without flags, print the current settings."""
    st = state(ctx)
    switches = {
        "allow_inventory_upload": allow_inventory_upload,
        "allow_price_upload": allow_price_upload,
        "allow_order_download": allow_order_download,
        "allow_tracking_upload": allow_tracking_upload,
        "query_shipping_change": query_shipping_change,
        "query_order_status_change": query_order_status_change,
        "send_brand_info": send_brand_info,
        "send_matrix_image": send_matrix_image,
        "publish_on_hold_orders": publish_on_hold_orders,
        "auto_post": auto_post,
    }
    given: dict[str, Any] = {key: on_off(value) for key, value in switches.items() if value is not None}
    if identifier_priority_ is not None:
        given["identifier_priority"] = identifier_priority(identifier_priority_)
    if inventory_buffer is not None:
        given["inventory_buffer"] = inventory_buffer
    if out_of_stock_threshold is not None:
        given["out_of_stock_threshold"] = out_of_stock_threshold
    client = st.client("auth")
    with reported():
        body = client.patch(f"/shops/{segment(shop)}/settings", given) if given else client.get(f"/shops/{segment(shop)}")
    if st.json_output:
        emit_json(body)
        return
    current = body.get("settings", body) if isinstance(body, dict) else body
    if given:
        console.print(f"Updated {', '.join(sorted(given))} of shop {shop}")
    render.key_values(f"settings of shop {shop}", current if isinstance(current, dict) else {})


@app.command("disconnect")
def disconnect(ctx: typer.Context, shop: str = typer.Argument(..., help="Shop id.")) -> None:
    """Disconnect the shop: its tokens are revoked locally and its integrations stop."""
    st = state(ctx)
    with reported():
        body = st.client("auth").post(f"/shops/{segment(shop)}/disconnect")
    emit_json(body) if st.json_output else console.print(f"Disconnected shop {shop}")


@app.command("rotate-keys")
def rotate_keys(ctx: typer.Context) -> None:
    """Re-encrypt every stored token with the first key of AUTH_ENCRYPTION_KEYS (then drop the old keys)."""
    st = state(ctx)
    with reported():
        body = st.client("auth").post("/admin/rotate-keys")
    if st.json_output:
        emit_json(body)
        return
    console.print(f"Re-encrypted {render.pick(body, 'secrets', default=0)} token(s) of "
                  f"{render.pick(body, 'shops', default=0)} shop(s) with the first key; older keys can now be removed.")
