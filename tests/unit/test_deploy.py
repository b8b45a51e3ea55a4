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

from libs.common.db_roles import SERVICE_SCHEMAS, DatabaseRolesSettings, password_variable, role_name
from libs.common.events.registry import TOPICS, dlq_topic
from libs.common.settings import SharedSettings, TopicSettings
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
ALL_CLASSES = [SharedSettings, *(cls for cls, _ in SERVICES.values()), DatabaseRolesSettings, TopicSettings]
KNOWN = {name for cls in ALL_CLASSES for name in doc.env_names(cls)}
#: Secret keys no settings class reads: each Deployment's own DSN, read into its DATABASE_URL.
SERVICE_DSN_KEYS = {f"{service.upper()}_DATABASE_URL" for service in SERVICES}
#: A compose DSN: the role, and the deploy/.env variable interpolated as its password.
COMPOSE_DSN = re.compile(r"postgresql://(?P<user>\w+):\$\{(?P<password>\w+):\?[^}]*\}@postgres:5432/ttshop")
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


def _probe_value(field: str, default: Any) -> tuple[str, Any] | None:
    """An environment value different from the default, and what the field should then hold."""
    if field.endswith("credentials"):  # name=secret pairs
        return "probe=probe-value-0123456789", "probe=probe-value-0123456789"
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
        probe = _probe_value(field, cls.model_fields[field].get_default(call_default_factory=True))
        if probe is None:
            continue
        monkeypatch.setenv(env, probe[0])
        got = getattr(cls(), field)
        assert (got.get_secret_value() if isinstance(got, SecretStr) else got) == probe[1], env
        monkeypatch.delenv(env)


def test_required_variables_include_the_obvious_ones() -> None:
    required = doc.required_in_deployment(AuthSettings)
    assert {"DATABASE_URL", "AUTH_ENCRYPTION_KEYS", "AUTH_INTERNAL_CREDENTIALS", "ADMIN_API_CREDENTIALS",
            "TIKTOK_APP_SECRET", "KAFKA_BOOTSTRAP_SERVERS", "AUTH_HOST", "AUTH_PUBLIC_WEBHOOK_URL"} <= required
    assert "AUTH_CONSUMER_GROUP" not in required and "AUTH_PORT" not in required
    assert "INTERNAL_API_TOKEN" not in required  # auth serves the token endpoint: it presents nothing to it
    assert "INTERNAL_API_TOKEN" in doc.required_in_deployment(OrdersSettings)


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
    dsn = COMPOSE_DSN.fullmatch(env["DATABASE_URL"])  # its own role, never the admin's
    assert dsn, env["DATABASE_URL"]
    assert dsn["user"] == role_name(cls.model_fields["db_schema"].default)
    assert dsn["password"] == password_variable(service)
    assert spec["depends_on"]["db-bootstrap"]["condition"] == "service_completed_successfully"
    assert f"PLAINTEXT://{env['KAFKA_BOOTSTRAP_SERVERS']}" in (
        COMPOSE["services"]["kafka"]["environment"]["KAFKA_ADVERTISED_LISTENERS"].split(","))
    assert env["AUTH_SERVICE_URL"] == f"http://auth:{_port(AuthSettings)}"
    assert env["TIKTOK_API_BASE_URL"].endswith(":-https://open-api.tiktokglobalshop.com}")
    assert env["TIKTOK_AUTH_BASE_URL"].endswith(":-https://auth.tiktok-shops.com}")
    assert ("AUTH_ENCRYPTION_KEYS" in env) == (service == "auth")
    for name, value in env.items():  # secrets come from deploy/.env and stop compose when missing
        if doc.is_secret(cls, known[name]):
            assert "${" in value and not re.sub(r"\$\{\w+:\?[^}]*\}", "", value).count("$"), name
            assert not re.search(r"[=:]\w{16,}", re.sub(r"\$\{[^}]*\}", "", value)), f"{name}: a literal secret"
    # each caller its own credential: the CLI's for the admin APIs, each service's for the token endpoint
    assert env["ADMIN_API_CREDENTIALS"].startswith("cli=${CLI_ADMIN_TOKEN:?")
    if service == "auth":
        assert "INTERNAL_API_TOKEN" not in env
        assert [pair.split("=", 1)[0] for pair in env["AUTH_INTERNAL_CREDENTIALS"].split(",")] == [
            "catalog", "orders", "fulfillment"]
        for caller in ("catalog", "orders", "fulfillment"):
            assert f"{caller}=${{{caller.upper()}_INTERNAL_TOKEN:?" in env["AUTH_INTERNAL_CREDENTIALS"]
    else:
        assert env["INTERNAL_API_TOKEN"].startswith(f"${{{service.upper()}_INTERNAL_TOKEN:?")


def test_compose_bootstraps_the_roles_as_the_admin_before_the_services() -> None:
    spec, postgres = COMPOSE["services"]["db-bootstrap"], COMPOSE["services"]["postgres"]
    assert spec["command"] == ["python", "-m", doc.DB_BOOTSTRAP_MODULE]
    assert spec["depends_on"] == {"postgres": {"condition": "service_healthy"}} and spec["restart"] == "no"
    env = spec["environment"]
    assert set(env) <= set(doc.env_names(DatabaseRolesSettings))
    admin = COMPOSE_DSN.fullmatch(env["DATABASE_URL"])
    assert admin and admin["user"] == postgres["environment"]["POSTGRES_USER"]
    assert admin["password"] == "POSTGRES_PASSWORD"
    for service in SERVICES:  # the password it sets is the one the service's DSN carries
        variable = password_variable(service)
        assert env[variable].startswith(f"${{{variable}:?"), variable
        assert f"${{{variable}:?" in COMPOSE["services"][service]["environment"]["DATABASE_URL"]
    assert not [name for name, svc in COMPOSE["services"].items()
                if name not in ("db-bootstrap", "postgres") and "POSTGRES_PASSWORD" in str(svc.get("environment"))]


def test_service_roles_are_the_schemas_the_services_own() -> None:
    assert {service: cls.model_fields["db_schema"].default for service, (cls, _) in SERVICES.items()} == SERVICE_SCHEMAS


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
    assert set(example) <= KNOWN | {"POSTGRES_PASSWORD", "CLI_ADMIN_TOKEN"} | doc.SERVICE_TOKEN_KEYS


def test_kustomization_lists_every_manifest_but_the_secret_template() -> None:
    kustomization = yaml.safe_load((K8S / "kustomization.yaml").read_text())
    # hpa.yaml is an example applied on its own (it needs the metrics-server)
    expected = {p.name for p in K8S.glob("*.yaml")} - {"kustomization.yaml", "secret.template.yaml", "hpa.yaml"}
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
    scrape = deployment["spec"]["template"]["metadata"]["annotations"]  # /metrics is served on the admin port
    assert scrape == {"prometheus.io/scrape": "true", "prometheus.io/port": str(port), "prometheus.io/path": "/metrics"}
    labels = deployment["spec"]["selector"]["matchLabels"]
    assert labels.items() <= deployment["spec"]["template"]["metadata"]["labels"].items()
    svc = objects[("Service", service)]["spec"]
    assert svc["selector"] == labels and svc["ports"][0]["port"] == port and svc["ports"][0]["targetPort"] == "http"
    pdb = objects[("PodDisruptionBudget", service)]["spec"]
    assert pdb["selector"]["matchLabels"] == labels and pdb["minAvailable"] < deployment["spec"]["replicas"]
    own_dsn, *own_token = container["env"]  # its own role's DSN, and nothing else of the database Secret
    assert own_dsn == {"name": "DATABASE_URL", "valueFrom": {"secretKeyRef": {
        "name": "ttshop-database", "key": f"{service.upper()}_DATABASE_URL"}}}
    # its own credential for auth's token endpoint, and nobody else's (auth presents none)
    assert own_token == ([] if service == "auth" else [{"name": "INTERNAL_API_TOKEN", "valueFrom": {"secretKeyRef": {
        "name": "ttshop-service-credentials", "key": f"{service.upper()}_INTERNAL_TOKEN"}}}])
    assert f"ttshop_{service}:" in _secret_template()["ttshop-database"][own_dsn["valueFrom"]["secretKeyRef"]["key"]]
    provided: set[str] = {own_dsn["name"], *(t["name"] for t in own_token)}
    for source in container["envFrom"]:
        assert source.get("secretRef", {}).get("name") not in ("ttshop-database", "ttshop-service-credentials")
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


def _secret_template() -> dict[str, dict[str, str]]:
    return {obj["metadata"]["name"]: obj["stringData"] for obj in _docs(K8S / "secret.template.yaml")}


def test_secret_template_holds_only_placeholders() -> None:
    secrets = [obj for obj in _docs(K8S / "secret.template.yaml")]
    assert secrets and all(obj["kind"] == "Secret" and "data" not in obj for obj in secrets)
    for obj in secrets:
        for key, value in obj["stringData"].items():
            assert key in KNOWN | SERVICE_DSN_KEYS | doc.SERVICE_TOKEN_KEYS and re.fullmatch(r"<[^<>]+>", value), key
    assert "DATABASE_URL" not in _secret_template()["ttshop-secrets"]  # every pod mounts that one


def test_k8s_job_bootstraps_the_roles_from_the_database_secret() -> None:
    objects = _k8s()
    job = objects[("Job", "db-bootstrap")]["spec"]
    pod = job["template"]["spec"]
    assert pod["restartPolicy"] == "OnFailure" and pod["securityContext"]["runAsNonRoot"] is True
    assert job["ttlSecondsAfterFinished"] > 0  # gone once finished: the next `kubectl apply -k` runs it again
    (container,) = pod["containers"]
    assert container["command"] == ["python", "-m", doc.DB_BOOTSTRAP_MODULE]
    assert container["envFrom"] == [{"secretRef": {"name": "ttshop-database"}}]
    assert container["resources"] == RESOURCES
    database = _secret_template()["ttshop-database"]
    assert {"DATABASE_URL", *(password_variable(s) for s in SERVICES)} <= set(database)
    assert set(database) <= set(doc.env_names(DatabaseRolesSettings)) | SERVICE_DSN_KEYS


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


# --- the topics one-shot (compose `topics`, the k8s Job `topics`, and each pod's wait for it) -------------


def _layout(env: dict[str, str]) -> TopicSettings:
    """The topic layout a set of variables gives (the one-shot's settings class reads them)."""
    names = doc.env_names(TopicSettings)
    return TopicSettings.model_validate({names[k]: v for k, v in env.items() if k in names})


def test_compose_creates_the_topics_before_the_services_as_the_services_would() -> None:
    spec = COMPOSE["services"]["topics"]
    assert spec["command"] == ["python", "-m", doc.TOPICS_MODULE] and spec["restart"] == "no"
    assert spec["depends_on"] == {"kafka": {"condition": "service_healthy"}}
    env = spec["environment"]
    assert set(env) == set(doc.env_names(TopicSettings))  # every variable of the layout set, nothing else
    layout = _layout(env)  # one broker: one replica, and a write needs one
    assert (layout.kafka_replication_factor, layout.kafka_min_insync_replicas) == (1, 1)
    assert f"PLAINTEXT://{env['KAFKA_BOOTSTRAP_SERVERS']}" in (
        COMPOSE["services"]["kafka"]["environment"]["KAFKA_ADVERTISED_LISTENERS"].split(","))
    for service in SERVICES:
        svc = COMPOSE["services"][service]
        assert svc["depends_on"]["topics"]["condition"] == "service_completed_successfully"
        for name in ("KAFKA_BOOTSTRAP_SERVERS", "KAFKA_TOPIC_PARTITIONS", "KAFKA_REPLICATION_FACTOR"):
            assert svc["environment"][name] == env[name], (service, name)  # a missing topic: the same layout
    assert COMPOSE["services"]["kafka"]["environment"]["KAFKA_AUTO_CREATE_TOPICS_ENABLE"] == "false"


def test_k8s_job_creates_the_topics_from_the_configmap_and_every_pod_waits_for_it() -> None:
    objects = _k8s()
    job = objects[("Job", "topics")]["spec"]
    pod = job["template"]["spec"]
    assert pod["restartPolicy"] == "OnFailure" and pod["securityContext"]["runAsNonRoot"] is True
    assert job["ttlSecondsAfterFinished"] > 0  # gone once finished: the next `kubectl apply -k` runs it again
    (container,) = pod["containers"]
    assert container["command"] == ["python", "-m", doc.TOPICS_MODULE]
    assert container["envFrom"] == [{"configMapRef": {"name": "ttshop-config"}}]
    assert container["resources"] == RESOURCES
    config = objects[("ConfigMap", "ttshop-config")]["data"]
    assert set(doc.env_names(TopicSettings)) <= set(config)
    layout = _layout(config)  # production: 12 partitions, 3 replicas, 2 in sync
    assert (layout.kafka_topic_partitions, layout.kafka_replication_factor, layout.kafka_min_insync_replicas) == (
        12, 3, 2)
    assert config["KAFKA_ENABLE_IDEMPOTENCE"] == "true"  # real Kafka: the idempotent producer on
    for service in SERVICES:
        spec = objects[("Deployment", service)]["spec"]["template"]["spec"]
        (wait,) = spec["initContainers"]
        assert wait["command"][:3] == ["python", "-m", doc.TOPICS_MODULE] and wait["command"][3] == "--wait"
        assert float(wait["command"][4]) > 0
        assert wait["image"] == container["image"] == spec["containers"][0]["image"]
        assert wait["envFrom"] == [{"configMapRef": {"name": "ttshop-config"}}] and wait["resources"] == RESOURCES


def test_hpa_example_scales_existing_deployments_within_the_partitions() -> None:
    objects = _k8s()
    hpas = {name: obj for (kind, name), obj in objects.items() if kind == "HorizontalPodAutoscaler"}
    assert set(hpas) == {"orders", "catalog", "fulfillment"}
    assert {(o["kind"], o["metadata"]["name"]) for o in _docs(K8S / "hpa.yaml")} == {
        ("HorizontalPodAutoscaler", name) for name in hpas}
    partitions = int(objects[("ConfigMap", "ttshop-config")]["data"]["KAFKA_TOPIC_PARTITIONS"])
    for name, hpa in hpas.items():
        spec, ref = hpa["spec"], hpa["spec"]["scaleTargetRef"]
        assert hpa["apiVersion"] == "autoscaling/v2" and ref["kind"] == "Deployment" and ref["name"] == name
        deployment = objects[("Deployment", ref["name"])]
        assert ref["apiVersion"] == deployment["apiVersion"] == "apps/v1"
        assert hpa["metadata"]["namespace"] == deployment["metadata"]["namespace"] == "ttshop"
        # no more replicas than partitions: a consumer group gives each partition to one member
        assert 2 <= spec["minReplicas"] <= spec["maxReplicas"] <= partitions
        [cpu] = spec["metrics"]
        assert cpu["resource"]["name"] == "cpu" and cpu["resource"]["target"]["type"] == "Utilization"
        (container,) = deployment["spec"]["template"]["spec"]["containers"]
        assert container["resources"]["requests"]["cpu"]  # utilisation is measured against the request
