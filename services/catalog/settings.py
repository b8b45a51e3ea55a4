"""Catalog service settings (env prefix ``CATALOG_``; shared ones are unprefixed)."""

from __future__ import annotations

from pydantic_settings import SettingsConfigDict

from libs.common.settings import ServiceSettings


class CatalogSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="CATALOG_", extra="ignore", populate_by_name=True)

    service_name: str = "catalog"
    db_schema: str = "catalog"
    port: int = 8102
