"""The sync page's data: the catalog's sync status per shop and kind in the CLI's words, the lag history kept
for the last hour, and the chart drawn from it."""

from __future__ import annotations

import asyncio
from typing import Any

from libs.console.sessions import SessionStore
from libs.console.sync import history as lag
from libs.console.sync import views
from libs.console.sync.sampler import latest_credential

ROW = {"shop_id": "7001", "kind": "price", "waiting": 3, "lag_s": 75.4, "calls_last_minute": 55,
       "limit_per_minute": 60, "last_success_at": "2026-12-03T13:00:00+00:00", "failed": 2, "skipped": 1,
       "failures": [{"code": "12052048", "skus": 2, "example": "price too low"}]}


def test_a_kind_row_says_what_the_cli_says_and_flags_lag_and_calls_near_the_limit() -> None:
    row = views.kind_row(ROW)
    assert (row.kind, row.waiting, row.failed, row.skipped) == ("price", 3, 2, 1)
    assert row.lag == "75.4 s" and row.lag_class == "warn"  # over a minute
    assert (row.calls, row.limit, row.calls_class) == (55, 60, "warn")  # 55 >= 90 % of 60
    assert row.failures == ["2 SKU(s) failed with 12052048: price too low"]
    calm = views.kind_row({**ROW, "lag_s": 0.4, "calls_last_minute": 3, "failures": []})
    assert (calm.lag, calm.lag_class, calm.calls_class, calm.failures) == ("0.4 s", "", "", [])


def test_lag_text_grows_into_minutes_and_hours() -> None:
    assert [views.lag_text(s) for s in (0.0, 89.9, 250.0, 7500.0)] == ["0.0 s", "89.9 s", "4 min 10 s", "2 h 5 min"]


def test_every_known_shop_has_an_entry_in_the_auth_order_inventory_first() -> None:
    status = {"shops": [ROW, {**ROW, "kind": "inventory", "lag_s": 1.0}, {**ROW, "shop_id": "9009"}]}
    shops = {"shops": [{"shop_id": "8008", "name": "quiet"}, {"shop_id": "7001", "name": "busy"}]}
    syncs = views.shop_syncs(status, shops)
    assert [(s.shop_id, s.name) for s in syncs] == [("8008", "quiet"), ("7001", "busy"), ("9009", "")]
    assert syncs[0].kinds == [] and syncs[0].waiting == 0
    assert [k.kind for k in syncs[1].kinds] == ["inventory", "price"] and syncs[1].waiting == 6


def test_without_the_shops_answer_the_status_rows_still_show() -> None:
    assert [s.shop_id for s in views.shop_syncs({"shops": [ROW]}, None)] == ["7001"]
    assert views.shop_syncs(None, None) == []


def test_the_history_keeps_one_hour_per_shop_and_kind() -> None:
    history = lag.LagHistory(window_s=3600)
    assert history.due(1000.0, 15)
    history.record(1000.0, [ROW, {**ROW, "kind": "inventory", "lag_s": 2.0}])
    assert not history.due(1010.0, 15) and history.due(1015.0, 15)
    history.record(4000.0, [{**ROW, "lag_s": 5.0}])
    history.record(4700.0, [{**ROW, "lag_s": 9.0}])  # the sample at 1000 is now older than an hour
    assert history.series("7001", "price", 4700.0) == [(4000.0, 5.0), (4700.0, 9.0)]
    assert history.series("7001", "inventory", 4700.0) == []  # pruned with its last point
    assert history.last_sample_at == 4700.0


def test_the_chart_runs_from_an_hour_ago_to_now_and_from_zero_to_a_round_top() -> None:
    now = 10_000.0
    chart = lag.chart({"price": [(now - 3600, 0.0), (now - 1800, 40.0), (now, 20.0)]}, now)
    assert chart.top_label == "50 s" and chart.samples == 3
    [line] = chart.lines
    points = [tuple(map(float, p.split(","))) for p in line.points.split()]
    left, top, width, height = chart.plot
    assert points[0] == (left, top + height)  # an hour ago, no lag: bottom left
    assert points[1] == (left + width / 2, round(top + height * (1 - 40 / 50), 1))
    assert points[2][0] == left + width  # now: right edge
    assert line.last == points[2]  # the dot on the newest sample


def test_one_sample_still_draws_a_stroke_and_no_sample_draws_nothing() -> None:
    [line] = lag.chart({"inventory": [(500.0, 3.0)]}, 500.0).lines
    assert len(line.points.split()) == 2 and line.samples == 1
    empty = lag.chart({}, 500.0)
    assert empty.lines == [] and empty.top_label == "1 s"


def test_nice_ceiling() -> None:
    assert [lag.nice_ceiling(v) for v in (0.0, 1.0, 1.5, 3.0, 7.0, 12.0, 260.0)] == [1, 1, 2, 5, 10, 20, 500]
    assert [lag.seconds_label(v) for v in (5.0, 120.0, 7200.0)] == ["5 s", "2 min", "2 h"]


def test_the_sampler_uses_the_most_recently_seen_live_session_only() -> None:
    now = [0.0]
    store = SessionStore(idle_s=100, max_s=1000, clock=lambda: now[0])
    assert latest_credential(store) is None  # nobody signed in: no sample
    first_id, _ = store.open("credential-of-ann", "ann")
    now[0] = 10.0
    store.open("credential-of-bob", "bob")
    assert latest_credential(store) == "credential-of-bob"
    now[0] = 50.0
    store.find(first_id)  # Ann is active again
    assert latest_credential(store) == "credential-of-ann"
    now[0] = 200.0  # both idle too long
    assert latest_credential(store) is None


def test_one_sample_records_the_answer_as_the_signed_in_operator() -> None:
    from libs.console.sync.sampler import sample_once

    calls: list[Any] = []

    class Api:
        async def get(self, service: str, path: str) -> Any:
            calls.append((service, path))
            return {"shops": [ROW]}

    class Services:
        def as_operator(self, credential: str) -> Api:
            calls.append(credential)
            return Api()

    class State:
        sessions = SessionStore(idle_s=100, max_s=1000)
        services = Services()

    history = lag.LagHistory()
    assert asyncio.run(sample_once(State(), history)) is False  # type: ignore[arg-type]
    assert calls == [] and history.last_sample_at is None
    State.sessions.open("credential-of-ann", "ann")
    assert asyncio.run(sample_once(State(), history)) is True  # type: ignore[arg-type]
    assert calls == ["credential-of-ann", ("catalog", "/sync/status")]
    assert [lag_s for _, lag_s in history.series("7001", "price", history.last_sample_at or 0)] == [75.4]
