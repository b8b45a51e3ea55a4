"""The settings and topic tables of ``deploy/README.md``, generated from the code.

``python deploy/settings_doc.py`` prints the blocks; ``--write`` replaces them between the
``generated`` markers of ``deploy/README.md``. ``tests/unit/test_deploy.py`` fails when the README, the compose file or the k8s
manifests disagree with the settings classes or the topic registry, so a renamed setting or a new
topic cannot slip past ``deploy/``.
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path
from typing import Any

from pydantic import AliasChoices, SecretStr
from pydantic_settings import BaseSettings

from libs.common.db_roles import DatabaseRolesSettings
from libs.common.events.registry import TOPICS, dlq_topic
from libs.common.settings import (
    SANDBOX_APP_KEY,
    SANDBOX_APP_SECRET,
    ServiceSettings,
    SharedSettings,
    TopicSettings,
)
from libs.console.settings import ConsoleSettings
from libs.sandbox.settings import SandboxSettings
from services.auth.settings import AuthSettings
from services.catalog.settings import CatalogSettings
from services.fulfillment.settings import FulfillmentSettings
from services.orders.settings import OrdersSettings

#: service -> (its settings class, the module ``python -m`` runs)
SERVICES: dict[str, tuple[type[ServiceSettings], str]] = {
    "auth": (AuthSettings, "services.auth"),
    "catalog": (CatalogSettings, "services.catalog"),
    "orders": (OrdersSettings, "services.orders"),
    "fulfillment": (FulfillmentSettings, "services.fulfillment"),
}
SANDBOX_MODULE = "libs.sandbox"
CONSOLE_MODULE = "libs.console"
#: The one-shot that creates the services' database roles before they start (compose, k8s Job).
DB_BOOTSTRAP_MODULE = "libs.common.db_roles"
#: The one-shot that creates every contract topic and its DLQ before the services (compose, k8s Job).
TOPICS_MODULE = "libs.common.topics"

#: Unset on purpose in production: ``None`` means "derive it" (``ttshop-<service_name>``).
OPTIONAL_UNSET = frozenset({"consumer_group"})
#: Settings a class inherits but never reads: the auth service serves the token endpoint, so it
#: presents no credential to it.
UNUSED: dict[type[BaseSettings], frozenset[str]] = {AuthSettings: frozenset({"internal_api_token"})}
#: Secret keys no settings class reads: each service's own credential for the auth service's token
#: endpoint, read into its INTERNAL_API_TOKEN (compose: deploy/.env; k8s: Secret ttshop-service-credentials).
SERVICE_TOKEN_KEYS = frozenset({"CATALOG_INTERNAL_TOKEN", "ORDERS_INTERNAL_TOKEN", "FULFILLMENT_INTERNAL_TOKEN"})
#: str settings holding a credential although their type is not SecretStr.
SECRET_STR_FIELDS = frozenset({"database_url"})

#: Notes for fields that carry no ``description`` in their class.
NOTES: dict[str, str] = {
    "kafka_bootstrap_servers": "Kafka bootstrap servers (PLAINTEXT; no SASL/TLS settings exist yet).",
    "kafka_topic_partitions": "Partitions of a topic a service creates because it is still missing at its start "
    "(the topics one-shot creates them first, with 12 by default: see Topics); existing topics are left alone.",
    "kafka_replication_factor": "Replication factor of a topic a service creates because it is still missing at its "
    "start (the topics one-shot's default: 3).",
    "tiktok_api_base_url": "TikTok Shop Open API host.",
    "tiktok_auth_base_url": "TikTok Shop auth host (token get/refresh).",
    "tiktok_app_key": "App key from TikTok Shop Partner Center.",
    "tiktok_app_secret": "App secret: signs every API call and verifies webhooks.",
    "tiktok_qps_per_endpoint": "Client-side rate limit per (shop, endpoint) and process.",
    "auth_service_url": "Where catalog/orders/fulfillment fetch shop tokens (`/internal/...`).",
    "log_level": "Python log level.",
    "log_json": "JSON log lines on stdout.",
    "service_name": "Names the consumer group and log source; do not change.",
    "db_schema": "PostgreSQL schema of the service; do not change after the first start.",
    "host": "Bind address (0.0.0.0 in containers).",
    "port": "HTTP port: admin API, /healthz, /readyz (and /webhooks/tiktok on auth and orders).",
    "db_pool_min": "Database pool size, minimum.",
    "db_pool_max": "Database pool size, maximum (per process: mind max_connections).",
    "consumer_backoff_initial_s": "First retry delay of a failing message.",
    "consumer_backoff_max_s": "Cap of the retry delay of a failing message.",
    "outbox_batch_size": "Outbox rows the relay publishes per round.",
    "outbox_idle_poll_s": "Relay poll interval when it was not woken.",
    "refresh_check_interval_s": "How often the refresh loop looks for tokens due for refresh.",
    "max_shops_per_tax_id": "Authorized shops allowed per seller tax id; connecting one more is refused.",
}


def env_name(cls: type[BaseSettings], field: str) -> str:
    """The environment variable a settings field is read from (alias first, else prefix + name)."""
    alias = cls.model_fields[field].validation_alias
    if isinstance(alias, AliasChoices):
        return str(alias.choices[0])
    if isinstance(alias, str):
        return alias
    return f"{cls.model_config.get('env_prefix', '')}{field}".upper()


def env_names(cls: type[BaseSettings]) -> dict[str, str]:
    """Every environment variable ``cls`` reads -> its field name."""
    return {env_name(cls, field): field for field in cls.model_fields}


def is_secret(cls: type[BaseSettings], field: str) -> bool:
    return field in SECRET_STR_FIELDS or "SecretStr" in repr(cls.model_fields[field].annotation)


def _local_only(value: Any) -> bool:
    """A default that only makes sense on a developer machine (loopback address, sandbox app)."""
    if isinstance(value, SecretStr):
        value = value.get_secret_value()
    return isinstance(value, str) and ("127.0.0.1" in value or value in {SANDBOX_APP_KEY, SANDBOX_APP_SECRET})


def required_in_deployment(cls: type[BaseSettings]) -> set[str]:
    """Variables a deployment must set: no default, or a default that only works locally."""
    needed = set()
    for field, info in cls.model_fields.items():
        default = info.get_default(call_default_factory=True)
        if field in UNUSED.get(cls, frozenset()):
            continue
        if (default is None and field not in OPTIONAL_UNSET) or _local_only(default):
            needed.add(env_name(cls, field))
    return needed


def _render_default(value: Any) -> str:
    if value is None:
        return "unset"
    if isinstance(value, SecretStr):
        return "sandbox's"
    if isinstance(value, bool):
        return f"`{str(value).lower()}`"
    if isinstance(value, list):
        return f"`{json.dumps(value)}`"
    return f"`{value}`"


def _note(cls: type[BaseSettings], field: str, *, notes: dict[str, str] = NOTES) -> str:
    text = cls.model_fields[field].description or notes.get(field, "")
    return " ".join(text.split()).replace("|", "\\|")


def _row(name: str, services: str, default: str, secret: bool, required: bool, note: str) -> str:
    return f"| `{name}` | {services} | {default} | {'yes' if secret else ''} | {'yes' if required else ''} | {note} |"


def settings_table() -> str:
    """One row per variable: shared ones, the per-service common ones (``<SERVICE>`` is AUTH, CATALOG,
    ORDERS or FULFILLMENT), then each service's own."""
    head = [
        "| variable | service | default | secret | set in production | notes |",
        "|---|---|---|---|---|---|",
    ]
    rows: list[str] = []
    shared_required = required_in_deployment(SharedSettings)
    for field in SharedSettings.model_fields:
        name = env_name(SharedSettings, field)
        default = _render_default(SharedSettings.model_fields[field].get_default(call_default_factory=True))
        rows.append(_row(name, "all", default, is_secret(SharedSettings, field), name in shared_required,
                         _note(SharedSettings, field)))
    common = [f for f in ServiceSettings.model_fields if f not in SharedSettings.model_fields]
    for field in common:
        defaults = {svc: cls.model_fields[field].get_default(call_default_factory=True)
                    for svc, (cls, _) in SERVICES.items()}
        if len({repr(v) for v in defaults.values()}) == 1:
            default = _render_default(next(iter(defaults.values())))
        else:
            default = ", ".join(f"{svc} {_render_default(v)}" for svc, v in defaults.items())
        required = any(env_name(cls, field) in required_in_deployment(cls) for cls, _ in SERVICES.values())
        rows.append(_row(f"<SERVICE>_{field.upper()}", "each", default, is_secret(ServiceSettings, field),
                         required, _note(ServiceSettings, field)))
    for svc, (cls, _) in SERVICES.items():
        required_here = required_in_deployment(cls)
        for field in cls.model_fields:
            if field in ServiceSettings.model_fields:
                continue
            name = env_name(cls, field)
            default = _render_default(cls.model_fields[field].get_default(call_default_factory=True))
            rows.append(_row(name, svc, default, is_secret(cls, field), name in required_here, _note(cls, field)))
    return "\n".join(head + rows)


def _variables_table(cls: type[BaseSettings], *, secret_column: bool, notes: dict[str, str] = NOTES) -> str:
    """One row per variable of ``cls``: name, default, (secret,) notes."""
    head = ["| variable | default | secret | notes |", "|---|---|---|---|"] if secret_column else [
        "| variable | default | notes |", "|---|---|---|"]
    rows = []
    for field, info in cls.model_fields.items():
        secret = f" | {'yes' if is_secret(cls, field) else ''}" if secret_column else ""
        rows.append(f"| `{env_name(cls, field)}` | {_render_default(info.get_default(call_default_factory=True))}"
                    f"{secret} | {_note(cls, field, notes=notes)} |")
    return "\n".join(head + rows)


def sandbox_table() -> str:
    """The sandbox's variables (compose profile ``sandbox`` only; never in production)."""
    return _variables_table(SandboxSettings, secret_column=False, notes={})


def db_bootstrap_table() -> str:
    """The variables of the database bootstrap (compose ``db-bootstrap``, the k8s Job, `ttshop db bootstrap`)."""
    return _variables_table(DatabaseRolesSettings, secret_column=True)


def topics_settings_table() -> str:
    """The variables of the topics one-shot (compose ``topics``, the k8s Job, `ttshop topics ensure`)."""
    return _variables_table(TopicSettings, secret_column=False)


def topics_table() -> str:
    """Every topic and its dead-letter topic, in contract order."""
    head = ["| topic | dead-letter topic |", "|---|---|"]
    return "\n".join(head + [f"| `{t}` | `{dlq_topic(t)}` |" for t in TOPICS])


def console_table() -> str:
    """The console's variables (compose ``console``, k8s ``console.yaml``, `ttshop dev`)."""
    return _variables_table(ConsoleSettings, secret_column=False, notes={
        "host": "Bind address (0.0.0.0 in containers).", "port": "HTTP port of the pages.",
        "log_level": "Python log level.", "log_json": "JSON log lines on stdout.",
        "auth_url": "The auth service's admin API (sign-in is checked there: `GET /whoami`).",
        "catalog_url": "The catalog service's admin API.", "orders_url": "The orders service's admin API.",
        "fulfillment_url": "The fulfillment service's admin API."})


BLOCKS = {"settings": settings_table, "sandbox-settings": sandbox_table, "console-settings": console_table, "db-bootstrap-settings": db_bootstrap_table,
          "topics-settings": topics_settings_table, "topics": topics_table}


README = Path(__file__).with_name("README.md")


def write_readme(path: Path = README) -> None:
    """Replace every generated block of the README with its current rendering."""
    text = path.read_text()
    for name, render in BLOCKS.items():
        pattern = re.compile(rf"(<!-- generated:{name} -->\n).*?(\n<!-- /generated:{name} -->)", re.DOTALL)
        if not pattern.search(text):
            raise SystemExit(f"{path} has no generated:{name} block")
        text = pattern.sub(lambda m, r=render: m.group(1) + r() + m.group(2), text)
    path.write_text(text)


def main() -> None:
    if sys.argv[1:] == ["--write"]:
        write_readme()
        return
    for name, render in BLOCKS.items():
        print(f"<!-- generated:{name} -->\n{render()}\n<!-- /generated:{name} -->\n")


if __name__ == "__main__":
    main()
