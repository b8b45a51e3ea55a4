"""``deploy/`` agrees with the code: every variable written there is one a settings class reads, every
variable a deployment must set is set, ports and probes match the services, the Secret template holds
only placeholders, and the README's tables are the ones generated from the settings and the topic
registry. Nothing here needs Docker; renaming a setting or adding a topic fails it.
"""

from __future__ import annotations

import importlib.util
import re
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
import yaml
from pydantic import SecretStr

from libs.common.events.registry import TOPICS, dlq_topic
from libs.common.settings import SharedSettings
from libs.sandbox.settings import SandboxSettings
from services.auth.settings import AuthSettings
from services.orders.settings import OrdersSettings

DEPLOY = Path(__file__).resolve().parents[2] / "deploy"
K8S = DEPLOY / "k8s"


def _load(name: str) -> ModuleType:
    spec = importlib.util.spec_from_file_location(f"deploy_{name}", DEPLOY / f"{name}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


doc = _load("settings_doc")
healthcheck = _load("healthcheck")
SERVICES: dict[str, tuple[Any, str]] = doc.SERVICES
COMPOSE_TEXT = (DEPLOY / "compose.yaml").read_text()
COMPOSE = yaml.safe_load(COMPOSE_TEXT)
ALL_CLASSES = [SharedSettings, *(cls for cls, _ in SERVICES.values())]
KNOWN = {name for cls in ALL_CLASSES for name in doc.env_names(cls)}
RESOURCES = {"requests": {"cpu": "100m", "memory": "128Mi"}, "limits": {"cpu": "1", "memory": "256Mi"}}


def _docs(path: Path) -> list[Any]:
    return [d for d in yaml.safe_load_all(path.read_text()) if d is not None]


def _k8s() -> dict[tuple[str, str], dict[str, Any]]:
    objects = {}
    for path in sorted(K8S.glob("*.yaml")):
        for obj in _docs(path):
            if obj["kind"] == "Kustomization":
                continue
            objects[(obj["kind"], obj["metadata"]["name"])] = obj
    return objects


def _env_file(path: Path) -> dict[str, str]:
    pairs = (line.split("=", 1) for line in path.read_text().splitlines() if line and not line.startswith("#"))
    return {key.strip(): value.strip() for key, value in pairs}


def _port(cls: Any) -> int:
    return int(cls.model_fields["port"].default)


def _probe_value(default: Any) -> tuple[str, Any] | None:
    """An environment value different from the default, and what the field should then hold."""
    if isinstance(default, bool):
        return str(not default).lower(), not default
    if isinstance(default, int):
        value = default - 1 if default > 1 else default + 1
        return str(value), value
    if isinstance(default, float):
        return str(default / 2), default / 2
    if default is None or isinstance(default, str | SecretStr):
        return "probe-value", "probe-value"
    return None


def test_every_yaml_file_parses() -> None:
    files = sorted(DEPLOY.rglob("*.yaml")) + sorted(DEPLOY.rglob("*.yml"))
    assert len(files) >= 8
    for path in files:
        assert _docs(path), path


@pytest.mark.parametrize("cls", [*ALL_CLASSES, SandboxSettings], ids=lambda c: c.__name__)
def test_env_names_are_the_variables_the_settings_read(cls: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    for env, field in doc.env_names(cls).items():
        probe = _probe_value(cls.model_fields[field].get_default(call_default_factory=True))
        if probe is None:
            continue
        monkeypatch.setenv(env, probe[0])
        got = getattr(cls(), field)
        assert (got.get_secret_value() if isinstance(got, SecretStr) else got) == probe[1], env
        monkeypatch.delenv(env)


def test_required_variables_include_the_obvious_ones() -> None:
    required = doc.required_in_deployment(AuthSettings)
    assert {"DATABASE_URL", "AUTH_ENCRYPTION_KEYS", "INTERNAL_API_TOKEN", "ADMIN_API_TOKEN", "TIKTOK_APP_SECRET",
            "KAFKA_BOOTSTRAP_SERVERS", "AUTH_HOST", "AUTH_PUBLIC_WEBHOOK_URL"} <= required
    assert "AUTH_CONSUMER_GROUP" not in required and "AUTH_PORT" not in required


@pytest.mark.parametrize("service", SERVICES)
def test_compose_service_matches_its_settings(service: str) -> None:
    cls, module = SERVICES[service]
    spec = COMPOSE["services"][service]
    env = spec["environment"]
    known = doc.env_names(cls)
    assert set(env) <= set(known), f"not read by {cls.__name__}: {set(env) - set(known)}"
    assert not doc.required_in_deployment(cls) - set(env)
    prefix, port = cls.model_config["env_prefix"], _port(cls)
    assert env[f"{prefix}PORT"] == str(port) and env[f"{prefix}HOST"] == "0.0.0.0"
    assert spec["command"] == ["python", "-m", module]
    assert spec["ports"] == [f"127.0.0.1:{port}:{port}"]
    assert spec["healthcheck"]["test"] == ["CMD", "python", "/app/healthcheck.py", "/readyz"]
    assert all(spec["depends_on"][infra]["condition"] == "service_healthy" for infra in ("postgres", "kafka"))
    assert env["KAFKA_ENABLE_IDEMPOTENCE"] == "true"
    assert f"PLAINTEXT://{env['KAFKA_BOOTSTRAP_SERVERS']}" in (
        COMPOSE["services"]["kafka"]["environment"]["KAFKA_ADVERTISED_LISTENERS"].split(","))
    assert env["AUTH_SERVICE_URL"] == f"http://auth:{_port(AuthSettings)}"
    assert env["TIKTOK_API_BASE_URL"].endswith(":-https://open-api.tiktokglobalshop.com}")
    assert env["TIKTOK_AUTH_BASE_URL"].endswith(":-https://auth.tiktok-shops.com}")
    assert ("AUTH_ENCRYPTION_KEYS" in env) == (service == "auth")
    for name, value in env.items():  # secrets come from deploy/.env and stop compose when missing
        if doc.is_secret(cls, known[name]) and name != "DATABASE_URL":
            assert value.startswith(f"${{{name}:?"), name


def test_compose_runs_kraft_kafka_and_postgres_16() -> None:
    kafka, postgres = COMPOSE["services"]["kafka"], COMPOSE["services"]["postgres"]
    assert kafka["image"].startswith("apache/kafka:3.8")
    assert "controller" in kafka["environment"]["KAFKA_PROCESS_ROLES"]
    assert postgres["image"] == "postgres:16" and postgres["volumes"]


def test_compose_sandbox_profile_is_wired_to_the_services() -> None:
    spec = COMPOSE["services"]["sandbox"]
    assert spec["profiles"] == ["sandbox"] and spec["command"] == ["python", "-m", doc.SANDBOX_MODULE]
    assert set(spec["environment"]) <= set(doc.env_names(SandboxSettings))
    assert spec["environment"]["SANDBOX_PORT"] == str(_port(SandboxSettings))
    assert spec["environment"]["SANDBOX_WEBHOOK_URL"] == f"http://orders:{_port(OrdersSettings)}/webhooks/tiktok"
    assert not any("sandbox" in COMPOSE["services"][s].get("depends_on", {}) for s in SERVICES)
    demo = _env_file(DEPLOY / "sandbox.env")
    assert set(demo) <= KNOWN
    sandbox_url = f"http://sandbox:{_port(SandboxSettings)}"
    assert demo["TIKTOK_API_BASE_URL"] == demo["TIKTOK_AUTH_BASE_URL"] == sandbox_url
    assert demo["AUTH_PUBLIC_WEBHOOK_URL"] == f"http://auth:{_port(AuthSettings)}/webhooks/tiktok"


def test_env_example_lists_every_required_variable_empty() -> None:
    example = _env_file(DEPLOY / ".env.example")
    demanded = set(re.findall(r"\$\{([A-Z0-9_]+):?\?", COMPOSE_TEXT))
    assert demanded and demanded == set(example)
    assert all(value == "" for value in example.values()), "fill values in deploy/.env, never in the example"
    assert set(example) <= KNOWN | {"POSTGRES_PASSWORD"}


def test_kustomization_lists_every_manifest_but_the_secret_template() -> None:
    kustomization = yaml.safe_load((K8S / "kustomization.yaml").read_text())
    expected = {p.name for p in K8S.glob("*.yaml")} - {"kustomization.yaml", "secret.template.yaml"}
    assert set(kustomization["resources"]) == expected and kustomization["namespace"] == "ttshop"


@pytest.mark.parametrize("service", SERVICES)
def test_k8s_deployment_service_and_pdb(service: str) -> None:
    cls, module = SERVICES[service]
    objects, port = _k8s(), _port(cls)
    deployment = objects[("Deployment", service)]
    pod = deployment["spec"]["template"]["spec"]
    assert deployment["spec"]["replicas"] == 2
    assert pod["enableServiceLinks"] is False and pod["securityContext"]["runAsNonRoot"] is True
    (container,) = pod["containers"]
    assert container["command"] == ["python", "-m", module]
    assert container["ports"] == [{"name": "http", "containerPort": port}]
    assert container["readinessProbe"]["httpGet"] == {"path": "/readyz", "port": "http"}
    assert container["livenessProbe"]["httpGet"] == {"path": "/healthz", "port": "http"}
    assert container["resources"] == RESOURCES
    labels = deployment["spec"]["selector"]["matchLabels"]
    assert labels.items() <= deployment["spec"]["template"]["metadata"]["labels"].items()
    svc = objects[("Service", service)]["spec"]
    assert svc["selector"] == labels and svc["ports"][0]["port"] == port and svc["ports"][0]["targetPort"] == "http"
    pdb = objects[("PodDisruptionBudget", service)]["spec"]
    assert pdb["selector"]["matchLabels"] == labels and pdb["minAvailable"] < deployment["spec"]["replicas"]
    provided: set[str] = set()
    for source in container["envFrom"]:
        if "configMapRef" in source:
            data = objects[("ConfigMap", source["configMapRef"]["name"])]["data"]
        else:
            data = objects[("Secret", source["secretRef"]["name"])]["stringData"]
        provided |= set(data)
    assert not doc.required_in_deployment(cls) - provided
    config = objects[("ConfigMap", "ttshop-config")]["data"]
    assert config[f"{cls.model_config['env_prefix']}PORT"] == str(port)
    assert ("AUTH_ENCRYPTION_KEYS" in provided) == (service == "auth")


def test_configmap_holds_known_non_secret_settings_only() -> None:
    data = _k8s()[("ConfigMap", "ttshop-config")]["data"]
    assert set(data) <= KNOWN
    for cls in ALL_CLASSES:
        names = doc.env_names(cls)
        assert not [k for k in data if k in names and doc.is_secret(cls, names[k])]
    assert data["AUTH_SERVICE_URL"] == f"http://auth:{_port(AuthSettings)}"


def test_secret_template_holds_only_placeholders() -> None:
    secrets = [obj for obj in _docs(K8S / "secret.template.yaml")]
    assert secrets and all(obj["kind"] == "Secret" and "data" not in obj for obj in secrets)
    for obj in secrets:
        for key, value in obj["stringData"].items():
            assert key in KNOWN and re.fullmatch(r"<[^<>]+>", value), key


def test_dockerfile_builds_a_slim_non_root_image_with_a_healthcheck() -> None:
    text = "\n".join(line for line in (DEPLOY / "Dockerfile").read_text().splitlines() if not line.startswith("#"))
    stages = re.split(r"(?m)^FROM ", text)[1:]
    assert stages and all(stage.startswith("python:3.11-slim") for stage in stages)
    final = stages[-1]
    users = re.findall(r"(?m)^USER (\S+)", final)
    assert users and users[-1].split(":")[0] not in {"root", "0"}
    assert re.search(r"(?m)^RUN .*pip install \.$", text) and "[dev]" not in text
    assert re.search(r'(?m)^  CMD \["python", "/app/healthcheck.py", "/healthz"\]', final)
    assert "COPY deploy/healthcheck.py /app/healthcheck.py" in final and re.search(r"(?m)^CMD ", final)
    ignore = (DEPLOY / "Dockerfile.dockerignore").read_text().split()
    assert {"*", "!pyproject.toml", "!libs", "!services", "!deploy/healthcheck.py"} <= set(ignore)


def _block(name: str) -> str:
    text = (DEPLOY / "README.md").read_text()
    match = re.search(rf"<!-- generated:{name} -->\n(.*?)\n<!-- /generated:{name} -->", text, re.DOTALL)
    assert match, f"README lacks the {name} block"
    return match.group(1)


@pytest.mark.parametrize("name", list(doc.BLOCKS))
def test_readme_generated_blocks_are_current(name: str) -> None:
    assert _block(name) == doc.BLOCKS[name](), "run `python deploy/settings_doc.py --write`"


def test_readme_topics_are_the_registry_topics_and_their_dlqs() -> None:
    listed = re.findall(r"`([a-z0-9.\-]+)`", _block("topics"))
    assert sorted(listed) == sorted([*TOPICS, *(dlq_topic(t) for t in TOPICS)])


def test_healthcheck_reads_the_service_from_pid1() -> None:
    assert healthcheck.service_from_cmdline(["/sbin/docker-init", "--", "python", "-m", "services.orders"]) == "orders"
    assert healthcheck.service_from_cmdline(["python", "-m", "libs.sandbox"]) == "sandbox"
    assert healthcheck.service_from_cmdline(["python", "-m", "something.else"]) is None


@pytest.fixture
def fake_service() -> Iterator[int]:
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self.send_response(200 if self.path == "/healthz" else 503)
            self.end_headers()

        def log_message(self, *args: Any) -> None:
            pass

    server = HTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server.server_address[1]
    server.shutdown()
    server.server_close()


def test_healthcheck_probes_the_port_the_settings_read(fake_service: int, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SERVICE", "orders")
    monkeypatch.setenv("ORDERS_HOST", "0.0.0.0")
    monkeypatch.setenv("ORDERS_PORT", str(fake_service))
    assert healthcheck.main(["/healthz"]) == 0
    assert healthcheck.main(["/readyz"]) == 1
    monkeypatch.setenv("ORDERS_PORT", "1")  # nothing listens there
    assert healthcheck.main(["/healthz"]) == 1
