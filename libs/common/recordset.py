"""Rows written a page at a time: the rows go in as one JSON array (``$1``) expanded on the server with
``jsonb_to_recordset``, so a page costs one round trip per statement, whatever its size."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Recordset:
    """The (column, SQL type) pairs of the rows sent; each row is a dict with those keys."""

    columns: tuple[tuple[str, str], ...]

    @classmethod
    def of(cls, spec: str) -> Recordset:
        """From ``"order_id text, applied boolean, …"``."""
        pairs = (part.strip().split(maxsplit=1) for part in spec.split(","))
        return cls(tuple((name, kind) for name, kind in pairs))

    def names(self, prefix: str = "") -> str:
        return ", ".join(prefix + name for name, _ in self.columns)

    @property
    def source(self) -> str:
        """The FROM item: the rows of ``$1`` as relation ``r``."""
        return "jsonb_to_recordset($1::jsonb) AS r(" + ", ".join(f"{n} {t}" for n, t in self.columns) + ")"

    def insert(self, table: str, tail: str = "") -> str:
        """``INSERT INTO table (…) SELECT … FROM $1's rows`` followed by ``tail`` (ORDER BY, ON CONFLICT, RETURNING)."""
        return f"INSERT INTO {table} ({self.names()}) SELECT {self.names('r.')} FROM {self.source}{tail}"
