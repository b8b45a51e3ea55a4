"""``deploy/grafana/ttshop.json`` is built on metrics that exist: every metric name in every PromQL expression
(panels and template variables) is one ``libs/common/metrics.py`` defines, and every label it matches or
groups by is one of that metric's labels. Renaming a metric or a label fails here."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from prometheus_client import Counter, Gauge, Histogram

from libs.common import metrics

DASHBOARD = Path(__file__).resolve().parents[2] / "deploy" / "grafana" / "ttshop.json"

#: PromQL's words that are neither metrics nor labels.
KEYWORDS = frozenset({"by", "without", "on", "ignoring", "group_left", "group_right", "bool", "and", "or", "unless",
                      "offset"})
_IDENTIFIER = re.compile(r"[A-Za-z_:][A-Za-z0-9_:]*")
_GROUPING = re.compile(r"\b(?:by|without|on|ignoring)\s*\(([^)]*)\)")
_SELECTOR = re.compile(r"([A-Za-z_:][A-Za-z0-9_:]*)\s*\{([^}]*)\}")
_MATCHER = re.compile(r"([A-Za-z_][A-Za-z0-9_]*)\s*(?:=~|!~|!=|=)")


def defined() -> dict[str, set[str]]:
    """Every sample name the metrics module exposes, with the labels it carries."""
    found: dict[str, set[str]] = {}
    for value in vars(metrics).values():
        collector = value.gauge if isinstance(value, metrics.ScrapedGauge) else value
        if not isinstance(collector, Counter | Gauge | Histogram):
            continue
        family = next(iter(collector.describe()))
        labels = set(collector._labelnames)
        suffixes = {Counter: ["_total"], Gauge: [""], Histogram: ["_bucket", "_count", "_sum"]}[type(collector)]
        for suffix in suffixes:
            found[family.name + suffix] = labels | ({"le"} if suffix == "_bucket" else set())
    return found


def expressions(node: Any) -> list[str]:
    """Every PromQL expression in the dashboard: panel targets and template variable queries."""
    found: list[str] = []
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "expr" and isinstance(value, str):
                found.append(value)
            elif key == "query" and isinstance(value, dict) and isinstance(value.get("query"), str):
                found.append(value["query"])
            else:
                found.extend(expressions(value))
    elif isinstance(node, list):
        for item in node:
            found.extend(expressions(item))
    return found


def names_and_labels(expr: str) -> tuple[set[str], set[str], set[str]]:
    """(metric names, labels matched in selectors, labels grouped by) of one expression."""
    text = re.sub(r'"[^"]*"', '""', expr)  # string values: Grafana variables, quantile-free text
    text = re.sub(r"\[[^\]]*\]", "", text)  # range selectors: [$__rate_interval], [5m]
    variable = re.fullmatch(r"\s*label_values\(\s*(.*?)\s*,\s*([A-Za-z_]\w*)\s*\)\s*", text)
    if variable:
        return set(_IDENTIFIER.findall(re.sub(r"\{[^}]*\}", "", variable.group(1)))), {variable.group(2)}, set()
    matched = {label for _, body in _SELECTOR.findall(text) for label in _MATCHER.findall(body)}
    grouped = {label.strip() for body in _GROUPING.findall(text) for label in body.split(",") if label.strip()}
    bare = re.sub(r"\{[^}]*\}", "", _GROUPING.sub("", text))
    names = {m.group(0) for m in _IDENTIFIER.finditer(bare)
             if m.group(0) not in KEYWORDS and not bare[m.end():].lstrip().startswith("(")}
    return names, matched, grouped


def test_the_dashboard_has_a_panel_for_every_figure_the_operator_reads() -> None:
    dashboard = json.loads(DASHBOARD.read_text())
    used = {name for expr in expressions(dashboard) for name in names_and_labels(expr)[0]}
    wanted = {"ttshop_events_consumed_total", "ttshop_events_published_total", "ttshop_events_dead_lettered_total",
              "ttshop_event_handle_seconds_bucket", "ttshop_consumer_lag", "ttshop_outbox_backlog",
              "ttshop_outbox_oldest_unsent_seconds", "ttshop_tiktok_calls_total", "ttshop_tiktok_call_seconds_bucket",
              "ttshop_tiktok_ratelimit_wait_seconds_bucket", "ttshop_inventory_sync_lag_seconds",
              "ttshop_token_expiry_seconds", "ttshop_jobs"}
    assert wanted <= used, f"no panel for {sorted(wanted - used)}"


@pytest.mark.parametrize("expr", expressions(json.loads(DASHBOARD.read_text())))
def test_every_metric_and_label_the_dashboard_uses_exists(expr: str) -> None:
    known = defined()
    names, matched, grouped = names_and_labels(expr)
    assert names, f"no metric found in {expr!r}"
    unknown = names - known.keys()
    assert not unknown, f"{expr!r} uses {sorted(unknown)}, which libs/common/metrics.py does not define"
    labels = set().union(*(known[name] for name in names))
    assert matched | grouped <= labels, f"{expr!r} uses labels {sorted((matched | grouped) - labels)} its metrics lack"


def test_the_parser_sees_a_renamed_metric_and_a_renamed_label() -> None:
    known = defined()
    names, _, grouped = names_and_labels('sum by (shop) (rate(ttshop_tiktok_calls[$__rate_interval]))')
    assert names == {"ttshop_tiktok_calls"} and "ttshop_tiktok_calls" not in known
    assert grouped == {"shop"} and "shop" not in known["ttshop_tiktok_calls_total"]
