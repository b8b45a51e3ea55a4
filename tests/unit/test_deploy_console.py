"""deploy/ runs the operator console (issue 15) as it runs locally: the module `ttshop dev` starts, the port
and variables ConsoleSettings reads, the services' addresses, one replica (sessions live in the process),
probes the console answers, and nothing of the services' secrets."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from libs.cli.dev import console_spec
from libs.console.settings import ConsoleSettings
from tests.unit.test_deploy import COMPOSE, DEPLOY, K8S, _k8s, doc, healthcheck

PORT = ConsoleSettings().port
SERVICE_URLS = {"AUTH_URL": "http://auth:8101", "CATALOG_URL": "http://catalog:8102",
                "ORDERS_URL": "http://orders:8103", "FULFILLMENT_URL": "http://fulfillment:8104"}


def test_compose_runs_the_console_against_the_services_admin_apis() -> None:
    spec = COMPOSE["services"]["console"]
    env = spec["environment"]
    assert spec["command"] == ["python", "-m", doc.CONSOLE_MODULE]
    assert set(env) <= set(doc.env_names(ConsoleSettings)), "every variable is one ConsoleSettings reads"
    assert env["CONSOLE_PORT"] == str(PORT) and env["CONSOLE_HOST"] == "0.0.0.0"
    assert {k: env[k] for k in SERVICE_URLS} == SERVICE_URLS
    assert env["KAFKA_BOOTSTRAP_SERVERS"] == "kafka:9092"
    assert spec["ports"] == [f"127.0.0.1:{PORT}:{PORT}"]
    assert spec["healthcheck"]["test"] == ["CMD", "python", "/app/healthcheck.py", "/readyz"]
    assert not {"DATABASE_URL", "ADMIN_API_CREDENTIALS", "INTERNAL_API_TOKEN"} & set(env)


def test_k8s_runs_one_console_replica_with_probes_and_its_service() -> None:
    objects = _k8s()
    deployment = objects[("Deployment", "console")]
    assert deployment["spec"]["replicas"] == 1 and deployment["spec"]["strategy"]["type"] == "Recreate"
    pod = deployment["spec"]["template"]["spec"]
    assert pod["enableServiceLinks"] is False and pod["securityContext"]["runAsNonRoot"] is True
    (container,) = pod["containers"]
    assert container["command"] == ["python", "-m", doc.CONSOLE_MODULE]
    assert container["ports"] == [{"name": "http", "containerPort": PORT}]
    assert container["readinessProbe"]["httpGet"] == {"path": "/readyz", "port": "http"}
    assert container["livenessProbe"]["httpGet"] == {"path": "/healthz", "port": "http"}
    env: dict[str, Any] = {e["name"]: e.get("value", e.get("valueFrom")) for e in container["env"]}
    assert set(env) <= set(doc.env_names(ConsoleSettings))
    assert {k: env[k] for k in SERVICE_URLS} == SERVICE_URLS
    assert env["CONSOLE_COOKIE_SECURE"] == "true" and env["CONSOLE_PORT"] == str(PORT)
    assert "envFrom" not in container, "the console needs none of the services' secrets"
    for service in ("auth", "catalog", "orders", "fulfillment"):  # the addresses are those Services
        port = int(SERVICE_URLS[f"{service.upper()}_URL"].rsplit(":", 1)[1])
        assert objects[("Service", service)]["spec"]["ports"][0]["port"] == port
    svc = objects[("Service", "console")]["spec"]
    assert svc["ports"][0]["port"] == PORT and svc["selector"] == deployment["spec"]["selector"]["matchLabels"]
    assert "console.yaml" in yaml.safe_load((K8S / "kustomization.yaml").read_text())["resources"]


def test_the_image_exposes_the_console_and_its_probe_finds_it() -> None:
    assert str(PORT) in (DEPLOY / "Dockerfile").read_text().split("EXPOSE", 1)[1].splitlines()[0].split()
    assert healthcheck.service_from_cmdline(["python", "-m", "libs.console"]) == "console"
    assert healthcheck.probe_url("console", "/readyz") == f"http://127.0.0.1:{PORT}/readyz"


def test_ttshop_dev_starts_the_same_module_with_the_services_addresses() -> None:
    urls = {"auth": "http://127.0.0.1:1", "catalog": "http://127.0.0.1:2", "orders": "http://127.0.0.1:3",
            "fulfillment": "http://127.0.0.1:4", "console": "http://127.0.0.1:5"}
    spec = console_spec(5, urls, "127.0.0.1:9092")
    assert spec.module == doc.CONSOLE_MODULE and spec.env["CONSOLE_PORT"] == "5"
    assert spec.env["AUTH_URL"] == urls["auth"] and spec.env["FULFILLMENT_URL"] == urls["fulfillment"]
    assert set(spec.env) - {"PYTHONUNBUFFERED"} <= set(doc.env_names(ConsoleSettings))


def test_the_console_ships_its_templates_and_static_files_in_the_package() -> None:
    pyproject = (Path(__file__).resolve().parents[2] / "pyproject.toml").read_text()
    assert '"templates/**/*.html", "static/*"' in pyproject  # `pip install .` (the image) carries them
