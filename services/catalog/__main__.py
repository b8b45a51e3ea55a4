"""``python -m services.catalog``: run the catalog service."""

from __future__ import annotations

from libs.common.runtime import serve
from services.catalog.app import build_app
from services.catalog.settings import CatalogSettings


def main() -> None:
    settings = CatalogSettings()
    serve(build_app(settings), settings)


if __name__ == "__main__":
    main()
