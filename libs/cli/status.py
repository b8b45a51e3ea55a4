"""`ttshop status`: the whole system in one table. Each service's health (``/readyz``) and version, its outbox
backlog (its ``GET /status``), each consumer group's lag per topic and every DLQ's size (read from the broker
here: :mod:`.broker_figures`), the shops needing re-authorisation (auth's shops), and per shop the last
successful order download, inventory push and tracking upload. A service that is down says so in its row;
the rest is still printed, and the command exits 1 at the end."""

from __future__ import annotations

import asyncio
from dataclasses import asdict
from datetime import UTC, datetime
from typing import Any

import typer
from aiokafka.errors import KafkaError

from libs.common.events.registry import TOPICS, dlq_topic

from . import devenv, render, shop_status
from .broker_figures import BrokerFigures, read_figures
from .client import EXIT_FAILED, CliError, CliState, emit_json, state

SERVICES = ("auth", "catalog", "orders", "fulfillment")
#: The per-shop figures services add to their /status, in the words of the table.
LAST_SUCCESS = {"last_order_download": "order download", "last_inventory_push": "inventory push",
                "last_tracking_upload": "tracking upload"}


def _service(st: CliState, name: str) -> dict[str, Any]:
    client = st.client(name)
    try:
        code, _ = client.answer("/readyz")
    except CliError as exc:
        return {"service": name, "state": "down", "detail": exc.message}
    found = {"service": name, "state": "ready" if code == 200 else "not ready"}
    try:
        body = client.get("/status")
    except CliError as exc:
        return {**found, "detail": f"/status: {exc.message}"}
    return {**found, **body, "detail": f"version {body.get('version')}"}


def _groups(services: list[dict[str, Any]]) -> tuple[dict[str, list[str]], list[str]]:
    """group -> its topics (as the service said; every topic for a service that did not answer), and the
    groups of the services that did not (only topics they committed on are shown for them)."""
    groups: dict[str, list[str]] = {}
    unsure = []
    for s in services:
        if "topics" in s:
            if s.get("consumer_group"):
                groups[s["consumer_group"]] = list(s["topics"])
        elif s["service"] != "auth":
            groups[f"ttshop-{s['service']}"] = list(TOPICS)
            unsure.append(f"ttshop-{s['service']}")
    return groups, unsure


def _broker(bootstrap: str, services: list[dict[str, Any]]) -> tuple[BrokerFigures, str | None]:
    groups, unsure = _groups(services)
    try:
        return asyncio.run(read_figures(bootstrap, groups, [dlq_topic(t) for t in TOPICS], only_committed=unsure)), None
    except (KafkaError, OSError) as exc:
        return BrokerFigures(), f"{type(exc).__name__}: {exc}"


def _shops(st: CliState) -> tuple[list[dict[str, Any]] | None, str | None]:
    try:
        return render.items(st.client("auth").get("/shops"), "shops"), None
    except CliError as exc:
        return None, exc.message


def _last_success(services: list[dict[str, Any]], shops: list[dict[str, Any]] | None) -> list[dict[str, Any]]:
    """One entry per shop and figure (``at`` None: never); a figure whose service did not answer: ``unknown``."""
    reported = {key: s[key] for s in services for key in LAST_SUCCESS if isinstance(s.get(key), list)}
    known = {str(render.pick(s, "shop_id", "id")) for s in shops or [] if s.get("status") != "disconnected"}
    known |= {str(r["shop_id"]) for rows in reported.values() for r in rows}
    entries = []
    for key, what in LAST_SUCCESS.items():
        if key not in reported:
            entries.append({"what": what, "shop_id": None, "at": None, "unknown": True})
            continue
        by_shop = {str(r["shop_id"]): r for r in reported[key]}
        for shop in sorted(known):
            row = by_shop.get(shop, {})
            entries.append({"what": what, "shop_id": shop, "at": row.get("at"), "via": row.get("via")})
    return entries


def collect(st: CliState) -> dict[str, Any]:
    """Everything `ttshop status` shows, as its ``--json`` prints it."""
    services = [_service(st, name) for name in SERVICES]
    bootstrap = devenv.bootstrap_servers(st.env)
    figures, broker_error = _broker(bootstrap, services)
    shops, shops_error = _shops(st)
    return {
        "ok": broker_error is None and all(s["state"] == "ready" for s in services),
        "services": services,
        "broker": {"bootstrap_servers": bootstrap, "error": broker_error},
        "consumer_lag": [asdict(lag) for lag in figures.lag],
        "dlq": [{"topic": topic, "records": n} for topic, n in figures.dlq.items()],
        "shops_needing_reauthorisation": None if shops is None else [
            {"shop_id": render.pick(s, "shop_id", "id"), "name": s.get("name"), "status": shop_status.plain_status(s)}
            for s in shops if str(s.get("status", "")).lower() == "needs_reauthorization"],
        "shops_error": shops_error,
        "last_success": _last_success(services, shops),
    }


def when(value: Any, now: datetime | None = None) -> str:
    """``2026-12-02 17:43:43 UTC (5m 3s ago)``; ``never`` for None."""
    if not value:
        return "never"
    try:
        at = datetime.fromisoformat(str(value))
    except ValueError:
        return str(value)
    at = at if at.tzinfo else at.replace(tzinfo=UTC)
    seconds = int(((now or datetime.now(UTC)) - at).total_seconds())
    minutes, secs = divmod(max(seconds, 0), 60)
    hours, minutes = divmod(minutes, 60)
    ago = f"{hours}h {minutes}m" if hours else f"{minutes}m {secs}s" if minutes else f"{secs}s"
    return f"{at.astimezone(UTC):%Y-%m-%d %H:%M:%S} UTC ({ago} ago)"


def rows(doc: dict[str, Any]) -> list[tuple[str, str, str, str]]:
    """The one table: check, subject, state, detail."""
    out: list[tuple[str, str, str, str]] = []
    for s in doc["services"]:
        out.append(("service", s["service"], s["state"], s["detail"]))
    for s in doc["services"]:
        if isinstance(s.get("outbox"), dict):
            age = s["outbox"].get("oldest_unsent_s")
            out.append(("outbox", s["service"], f"{s['outbox']['backlog']} unsent",
                        "" if age is None else f"oldest {age:.1f} s"))
    broker = doc["broker"]
    if broker["error"]:
        out.append(("broker", broker["bootstrap_servers"], "unreachable", broker["error"]))
    for lag in doc["consumer_lag"]:
        out.append(("consumer lag", f"{lag['group']} {lag['topic']}", str(lag["lag"]),
                    f"{lag['partitions']} partition(s)" + ("" if lag["committed"] else "; nothing committed yet")))
    for dlq in doc["dlq"]:
        out.append(("dlq", dlq["topic"], str(dlq["records"]), "`ttshop dlq list` shows them" if dlq["records"] else ""))
    reauth = doc["shops_needing_reauthorisation"]
    if reauth is None:
        out.append(("re-authorisation", "(every shop)", "unknown", doc["shops_error"] or ""))
    for shop in reauth or []:
        out.append(("re-authorisation", str(shop["shop_id"]), "needed", shop["status"]))
    if reauth == []:
        out.append(("re-authorisation", "(every shop)", "none needed", ""))
    for e in doc["last_success"]:
        if e.get("unknown"):
            out.append((e["what"], "(every shop)", "unknown", "its service did not answer"))
        else:
            out.append((e["what"], e["shop_id"], when(e["at"]), f"via {e['via']}" if e.get("via") else ""))
    return out


def status(ctx: typer.Context) -> None:
    """One table of the whole system: services (health, version, outbox), consumer lag per group and topic,
    DLQ sizes, shops needing re-authorisation, and the last order download, inventory push and tracking
    upload per shop. Exits 1 when a service or the broker is down (after printing everything else)."""
    st = state(ctx)
    doc = collect(st)
    if st.json_output:
        emit_json(doc)
    else:
        render.table("ttshop status", ("check", "subject", "state", "detail"), rows(doc))
    if not doc["ok"]:
        raise typer.Exit(EXIT_FAILED)


def register(app: typer.Typer) -> None:
    app.command("status")(status)
