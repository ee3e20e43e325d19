"""The rendered manifests pass the validator, and the validator catches each violation."""

from __future__ import annotations

import copy
import importlib
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[3]

Doc = dict[str, Any]
Docs = list[Doc]


def find(docs: Docs, kind: str, name: str) -> Doc:
    return next(d for d in docs if d["kind"] == kind and d["metadata"]["name"] == name)


def container(docs: Docs, service: str) -> Doc:
    pod = find(docs, "Deployment", f"tradeguard-{service}")["spec"]["template"]["spec"]
    return next(c for c in pod["containers"] if c["name"] == service)


def env_of(docs: Docs, service: str) -> dict[str, Any]:
    return {e["name"]: e.get("value", e.get("valueFrom")) for e in container(docs, service)["env"]}


@pytest.fixture
def problems_after(
    validator: ModuleType, rendered: dict[str, Docs], rule_groups: list[Doc]
) -> Callable[[Callable[[Docs], object]], list[str]]:
    """Problems the validator reports on the prod overlay after one mutation."""

    def run(mutate: Callable[[Docs], object]) -> list[str]:
        docs = copy.deepcopy(rendered["prod"])
        mutate(docs)
        problems: list[str] = validator.check_rendered(docs, rule_groups)
        return problems

    return run


@pytest.mark.parametrize("overlay", ["dev", "prod"])
def test_ops_overlay_has_no_problems(
    validator: ModuleType, rendered: dict[str, Docs], rule_groups: list[Doc], overlay: str
) -> None:
    assert validator.check_rendered(rendered[overlay], rule_groups) == []


def test_ops_script_exits_zero_on_the_repository() -> None:
    result = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "validate_k8s.py")],
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert "dev: ok" in result.stdout and "prod: ok" in result.stdout


def test_ops_script_exits_non_zero_on_a_broken_overlay(tmp_path: Path) -> None:
    (tmp_path / "kustomization.yaml").write_text("resources:\n  - missing.yaml\n")
    result = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "validate_k8s.py"), "--overlay", str(tmp_path)],
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    assert result.returncode == 1
    assert "kustomize failed" in result.stderr


def test_ops_prometheusrule_is_generated_from_rules_file(validator: ModuleType) -> None:
    expected = validator.prometheusrule_text(validator.load_rule_groups())
    assert validator.PROMETHEUSRULE_FILE.read_text() == expected


# ---------------------------------------------------------------- each violation is caught


def drop_readiness(docs: Docs) -> None:
    del container(docs, "risk")["readinessProbe"]


def named_probe_port(docs: Docs) -> None:
    container(docs, "aml")["livenessProbe"]["grpc"]["port"] = "grpc"


def http_probe(docs: Docs) -> None:
    container(docs, "finance")["livenessProbe"] = {"httpGet": {"path": "/", "port": 9103}}


def run_as_root(docs: Docs) -> None:
    pod = find(docs, "Deployment", "tradeguard-risk")["spec"]["template"]["spec"]
    pod["securityContext"]["runAsUser"] = 0


def writable_root(docs: Docs) -> None:
    container(docs, "aml")["securityContext"]["readOnlyRootFilesystem"] = False


def keep_capabilities(docs: Docs) -> None:
    container(docs, "finance")["securityContext"]["capabilities"] = {"drop": ["NET_RAW"]}


def escalate(docs: Docs) -> None:
    job = find(docs, "CronJob", "tradeguard-train")
    pod = job["spec"]["jobTemplate"]["spec"]["template"]["spec"]
    pod["initContainers"][0]["securityContext"]["allowPrivilegeEscalation"] = True


def no_limits(docs: Docs) -> None:
    del container(docs, "risk")["resources"]["limits"]


def one_risk_replica(docs: Docs) -> None:
    find(docs, "Deployment", "tradeguard-risk")["spec"]["replicas"] = 1


def no_pdb(docs: Docs) -> None:
    docs.remove(find(docs, "PodDisruptionBudget", "tradeguard-finance"))


def no_hpa(docs: Docs) -> None:
    docs.remove(find(docs, "HorizontalPodAutoscaler", "tradeguard-aml"))


def no_default_deny(docs: Docs) -> None:
    docs.remove(find(docs, "NetworkPolicy", "default-deny-all"))


def open_risk_to_namespace(docs: Docs) -> None:
    policy = find(docs, "NetworkPolicy", "tradeguard-risk-ingress")
    policy["spec"]["ingress"][0]["from"].append({"podSelector": {}})


def open_aml_to_everyone(docs: Docs) -> None:
    policy = find(docs, "NetworkPolicy", "tradeguard-aml-ingress")
    policy["spec"]["ingress"].append({"ports": [{"protocol": "TCP", "port": 50052}]})


def cut_finance_egress(docs: Docs) -> None:
    docs.remove(find(docs, "NetworkPolicy", "tradeguard-finance-egress"))


def commit_secret(docs: Docs) -> None:
    docs.append(
        {
            "apiVersion": "v1",
            "kind": "Secret",
            "metadata": {"name": "tradeguard-aml-db", "namespace": "tradeguard"},
            "stringData": {"url": "postgresql+psycopg://u:p@db/aml"},
        }
    )


def no_servicemonitor(docs: Docs) -> None:
    docs.remove(find(docs, "ServiceMonitor", "tradeguard-aml"))


def stale_prometheusrule(docs: Docs) -> None:
    find(docs, "PrometheusRule", "tradeguard")["spec"]["groups"].pop()


def unknown_field(docs: Docs) -> None:
    container(docs, "risk")["livenessProbe"]["grpcc"] = {"port": 50051}


def readiness_without_service(docs: Docs) -> None:
    del container(docs, "aml")["readinessProbe"]["grpc"]["service"]


def liveness_on_empty_name(docs: Docs) -> None:
    del container(docs, "risk")["livenessProbe"]["grpc"]["service"]


def wrong_service_port(docs: Docs) -> None:
    find(docs, "Service", "tradeguard-finance")["spec"]["ports"][0]["name"] = "http"


def aml_config(docs: Docs) -> dict[str, str]:
    data: dict[str, str] = find(docs, "ConfigMap", aml_config_name(docs))["data"]
    return data


def aml_volume(docs: Docs, name: str) -> Doc:
    return next(
        v for v in pod_volumes(find(docs, "Deployment", "tradeguard-aml")) if v["name"] == name
    )


def audit_key_created_in_the_pod(docs: Docs) -> None:
    aml_config(docs)["TRADEGUARD_AML_AUDIT_KEY_CREATE"] = "true"


def audit_key_from_an_empty_dir(docs: Docs) -> None:
    volume = aml_volume(docs, "audit-key")
    volume.pop("secret")
    volume["emptyDir"] = {}


def audit_key_elsewhere(docs: Docs) -> None:
    aml_config(docs)["TRADEGUARD_AML_AUDIT_KEY_FILE"] = "/tmp/audit.key"


def checkpoints_on_an_empty_dir(docs: Docs) -> None:
    volume = aml_volume(docs, "audit-checkpoints")
    volume.pop("persistentVolumeClaim")
    volume["emptyDir"] = {}


def checkpoints_beside_the_store(docs: Docs) -> None:
    config = aml_config(docs)
    config["TRADEGUARD_AML_DB_URL"] = "sqlite:////var/lib/tradeguard/aml-audit-checkpoints/a.db"


@pytest.mark.parametrize(
    ("mutate", "expected"),
    [
        (audit_key_created_in_the_pod, "TRADEGUARD_AML_AUDIT_KEY_CREATE must be false"),
        (audit_key_from_an_empty_dir, "AUDIT_KEY_FILE must be on a read-only Secret mount"),
        (audit_key_elsewhere, "AUDIT_KEY_FILE must be on a read-only Secret mount"),
        (checkpoints_on_an_empty_dir, "AUDIT_CHECKPOINT_DIR must be on a persistent volume"),
        (checkpoints_beside_the_store, "must not share the alert store's volume"),
        (drop_readiness, "readinessProbe must be a native grpc probe"),
        (named_probe_port, "numeric declared container port"),
        (http_probe, "livenessProbe must be a native grpc probe"),
        (run_as_root, "runAsUser: 10001"),
        (writable_root, "readOnlyRootFilesystem must be true"),
        (keep_capabilities, "capabilities must drop ALL"),
        (escalate, "allowPrivilegeEscalation must be false"),
        (no_limits, "limits lack"),
        (one_risk_replica, "replicas >= 2"),
        (no_pdb, "finance: no policy/v1 PodDisruptionBudget"),
        (no_hpa, "tradeguard-aml: no autoscaling/v2 HorizontalPodAutoscaler"),
        (no_default_deny, "no default-deny NetworkPolicy"),
        (open_risk_to_namespace, "risk: gRPC ingress from a peer that is not an allowed caller"),
        (open_aml_to_everyone, "aml: an ingress rule admits every source"),
        (cut_finance_egress, "finance: no egress to risk:50051"),
        (commit_secret, "Secret with data"),
        (no_servicemonitor, "aml: no ServiceMonitor"),
        (stale_prometheusrule, "PrometheusRule differs"),
        (unknown_field, "schema 1.32.0"),
        (
            readiness_without_service,
            "readinessProbe must ask for 'tradeguard.aml.v1.AmlMonitoring'",
        ),
        (liveness_on_empty_name, "livenessProbe must ask for 'liveness'"),
        (wrong_service_port, "finance: Service needs ports"),
    ],
)
def test_ops_validator_reports_violation(
    problems_after: Callable[[Callable[[Docs], object]], list[str]],
    mutate: Callable[[Docs], object],
    expected: str,
) -> None:
    problems = problems_after(mutate)
    assert any(expected in problem for problem in problems), problems


# ---------------------------------------------------------------- overlay specifics


def test_ops_dev_runs_aml_on_sqlite_with_one_replica(rendered: dict[str, Docs]) -> None:
    dev = rendered["dev"]
    aml = find(dev, "Deployment", "tradeguard-aml")
    config = find(dev, "ConfigMap", aml_config_name(dev))
    assert aml["spec"]["replicas"] == 1
    assert aml["spec"]["strategy"] == {"type": "Recreate"}
    assert config["data"]["TRADEGUARD_AML_DB_URL"].startswith("sqlite:////var/lib/tradeguard/aml/")
    claims = {v.get("persistentVolumeClaim", {}).get("claimName") for v in pod_volumes(aml)}
    assert "tradeguard-aml-data" in claims
    assert not [
        d for d in dev if d["kind"] == "HorizontalPodAutoscaler" and "aml" in d["metadata"]["name"]
    ]


def test_ops_dev_training_job_generates_data_before_training(rendered: dict[str, Docs]) -> None:
    pod = find(rendered["dev"], "Job", "tradeguard-train")["spec"]["template"]["spec"]
    names = [c["name"] for c in pod["initContainers"]]
    assert names == ["generate", "train-risk", "train-aml", "train-buyers"]
    generate = pod["initContainers"][0]
    assert generate["command"][:2] == ["tradeguard", "generate"]
    mount = next(m for m in generate["volumeMounts"] if m["name"] == "trade-data")
    volume = next(v for v in pod["volumes"] if v["name"] == "trade-data")
    assert not mount.get("readOnly") and not volume["persistentVolumeClaim"].get("readOnly")
    assert volume["persistentVolumeClaim"]["claimName"] == "tradeguard-trade-data"


def test_ops_prod_runs_aml_on_postgres_from_a_secret(rendered: dict[str, Docs]) -> None:
    prod = rendered["prod"]
    assert env_of(prod, "aml")["TRADEGUARD_AML_DB_URL"] == {
        "secretKeyRef": {"name": "tradeguard-aml-db", "key": "url"}
    }
    assert find(prod, "Deployment", "tradeguard-aml")["spec"]["replicas"] >= 2
    # No alert-store volume: only the audit checkpoints, which live outside the database.
    claims = [d["metadata"]["name"] for d in prod if d["kind"] == "PersistentVolumeClaim"]
    assert [name for name in claims if "aml" in name] == ["tradeguard-aml-audit-checkpoints"]


def test_ops_prod_has_more_replicas_than_dev(rendered: dict[str, Docs]) -> None:
    for service in ("risk", "aml", "finance"):
        name = f"tradeguard-{service}"
        dev_count = find(rendered["dev"], "Deployment", name)["spec"]["replicas"]
        assert find(rendered["prod"], "Deployment", name)["spec"]["replicas"] > dev_count


@pytest.mark.parametrize("service", ["risk", "aml", "finance"])
def test_ops_prod_mounts_tls_and_probes_the_health_port(
    rendered: dict[str, Docs], service: str
) -> None:
    prod = rendered["prod"]
    env = env_of(prod, service)
    prefix = f"TRADEGUARD_{service.upper()}_"
    assert env[f"{prefix}TLS_CLIENT_CA_FILE"].startswith("/etc/tradeguard/tls/")
    assert container(prod, service)["readinessProbe"]["grpc"]["port"] == int(
        env[f"{prefix}HEALTH_PORT"]
    )
    deployment = find(prod, "Deployment", f"tradeguard-{service}")
    secrets = {v["secret"]["secretName"] for v in pod_volumes(deployment) if "secret" in v}
    audit_key = {"tradeguard-aml-audit-key"} if service == "aml" else set()
    assert secrets == {f"tradeguard-{service}-tls", "tradeguard-tokens", *audit_key}


def test_ops_models_volume_is_read_only_for_services_and_written_by_training(
    rendered: dict[str, Docs],
) -> None:
    prod = rendered["prod"]
    for service in ("risk", "aml", "finance"):
        mounts = {m["mountPath"]: m for m in container(prod, service)["volumeMounts"]}
        assert mounts["/models"]["readOnly"] is True
    job_pod = find(prod, "Job", "tradeguard-train")["spec"]["template"]["spec"]
    commands = [" ".join(c["command"]) for c in job_pod["initContainers"] + job_pod["containers"]]
    for model in ("risk", "aml", "buyers"):
        assert any(f"train {model}" in c for c in commands)
    models = next(v for v in job_pod["volumes"] if v["name"] == "models")
    assert models["persistentVolumeClaim"] == {"claimName": "tradeguard-models"}


def aml_config_name(docs: Docs) -> str:
    refs = [s["configMapRef"]["name"] for s in container(docs, "aml")["envFrom"]]
    return str(refs[0])


def pod_volumes(deployment: Doc) -> list[Doc]:
    volumes: list[Doc] = deployment["spec"]["template"]["spec"]["volumes"]
    return volumes


# ---------------------------------------------------------------- settings contract


# The gRPC ports of DESIGN §5, written out here rather than taken from the validator's table.
GRPC_PORTS = {"risk": 50051, "aml": 50052, "finance": 50053}

SETTINGS_CLASSES = {
    "risk": ("services.risk.settings", "RiskSettings"),
    "aml": ("services.aml.settings", "AmlSettings"),
    "finance": ("services.finance.settings", "FinanceSettings"),
}


def manifest_env_names(docs: Docs, service: str) -> set[str]:
    """Every environment name the service's container gets, from ConfigMaps and env entries."""
    names = set(env_of(docs, service))
    refs = {s["configMapRef"]["name"] for s in container(docs, service).get("envFrom", [])}
    for config_map in (d for d in docs if d["kind"] == "ConfigMap"):
        if config_map["metadata"]["name"] in refs:
            names |= set(config_map["data"])
    return names


@pytest.mark.parametrize("overlay", ["dev", "prod"])
@pytest.mark.parametrize("service", ["risk", "aml", "finance"])
def test_ops_every_tradeguard_variable_is_a_real_setting(
    rendered: dict[str, Docs], overlay: str, service: str
) -> None:
    """The settings classes ignore unknown variables, so a misspelt name would pass silently."""
    module_name, class_name = SETTINGS_CLASSES[service]
    settings_class = getattr(importlib.import_module(module_name), class_name)
    prefix = f"TRADEGUARD_{service.upper()}_"
    names = manifest_env_names(rendered[overlay], service)
    unknown = [
        name
        for name in names
        if name.startswith(prefix)
        and name[len(prefix) :].lower() not in settings_class.model_fields
    ]
    assert unknown == []
    assert "TRADEGUARD_TOKENS_FILE" in names


@pytest.mark.parametrize("overlay", ["dev", "prod"])
@pytest.mark.parametrize("service", ["risk", "aml", "finance"])
def test_ops_manifest_settings_load(
    rendered: dict[str, Docs], overlay: str, service: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The plain (non-Secret) values of the manifests build the service's settings object."""
    docs = rendered[overlay]
    values = {
        name: value for name, value in env_of(docs, service).items() if isinstance(value, str)
    }
    refs = {s["configMapRef"]["name"] for s in container(docs, service)["envFrom"]}
    for config_map in (d for d in docs if d["kind"] == "ConfigMap"):
        if config_map["metadata"]["name"] in refs:
            values.update(config_map["data"])
    for name, value in values.items():
        monkeypatch.setenv(name, value)
    module_name, class_name = SETTINGS_CLASSES[service]
    settings = getattr(importlib.import_module(module_name), class_name)()
    assert (settings.host, settings.port) == ("0.0.0.0", GRPC_PORTS[service])
    assert str(settings.tokens_file) == "/etc/tradeguard/tokens/tokens.json"
    if overlay == "prod":
        assert settings.health_port == 8081 and settings.tls_client_ca_file is not None
    if service == "aml":  # the audit key from its Secret, never made in the pod
        assert str(settings.audit_key_file) == "/etc/tradeguard/aml-audit/audit.key"
        assert settings.audit_key_create is False
        assert str(settings.audit_checkpoint_dir) == "/var/lib/tradeguard/aml-audit-checkpoints"
