"""Recordset: the SQL that writes a page of rows sent as one JSON array."""

from __future__ import annotations

from libs.common.recordset import Recordset


def test_of_parses_the_column_spec_and_insert_selects_every_column_from_the_rows_of_1():
    rows = Recordset.of("order_id text, line_item_ids text[], applied boolean")
    assert rows.columns == (("order_id", "text"), ("line_item_ids", "text[]"), ("applied", "boolean"))
    assert rows.insert("t", " ON CONFLICT DO NOTHING") == (
        "INSERT INTO t (order_id, line_item_ids, applied) SELECT r.order_id, r.line_item_ids, r.applied"
        " FROM jsonb_to_recordset($1::jsonb) AS r(order_id text, line_item_ids text[], applied boolean)"
        " ON CONFLICT DO NOTHING"
    )
