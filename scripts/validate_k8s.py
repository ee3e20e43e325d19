#!/usr/bin/env python3
"""Render the kustomize overlays and check them offline, without a cluster.

Each overlay is rendered with ``kubectl kustomize`` (or ``kustomize build``), every object is
validated against the bundled Kubernetes JSON schemas of kubernetes-validate (pinned version,
strict: unknown fields are errors), and the rendered YAML is checked for the conventions a
platform team relies on: native gRPC probes, Pod Security "restricted", requests and limits,
replicas, PodDisruptionBudgets, HPAs, default-deny NetworkPolicies, Secrets only by reference,
the aml audit key from a Secret and its checkpoints on a volume of their own, ServiceMonitors, and
a PrometheusRule equal to k8s/prometheus/rules.yml.

    python scripts/validate_k8s.py                      # both overlays; exit 1 on any problem
    python scripts/validate_k8s.py --write-prometheusrule   # regenerate the PrometheusRule
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from kubernetes_validate import utils as kv

ROOT = Path(__file__).resolve().parent.parent
K8S = ROOT / "k8s"
OVERLAYS = (K8S / "overlays" / "dev", K8S / "overlays" / "prod")
RULES_FILE = K8S / "prometheus" / "rules.yml"
PROMETHEUSRULE_FILE = K8S / "base" / "prometheusrule.yaml"
# The newest Kubernetes minor whose schemas ship with kubernetes-validate and that the
# kubectl used here (1.32) also speaks.
KUBERNETES_VERSION = "1.32.0"
# Prometheus Operator CRDs: no bundled schema, so presence and content are checked instead.
CRD_KINDS = frozenset({"ServiceMonitor", "PrometheusRule"})
NAME_LABEL = "app.kubernetes.io/name"
INGRESS_NAMESPACE = "ingress-nginx"
MONITORING_NAMESPACE = "monitoring"
UID = 10001
# The health name the servers keep SERVING for as long as the process can serve at all.
LIVENESS_NAME = "liveness"


@dataclass(frozen=True)
class ServiceSpec:
    """Ports and scaling expectations of one TradeGuard service."""

    name: str
    grpc_service: str
    grpc_port: int
    metrics_port: int
    scales_out: bool
    callers: frozenset[str]


SERVICES = (
    ServiceSpec(
        "risk", "tradeguard.risk.v1.RiskScoring", 50051, 9101, True, frozenset({"finance"})
    ),
    ServiceSpec(
        "aml", "tradeguard.aml.v1.AmlMonitoring", 50052, 9102, False, frozenset({"finance"})
    ),
    ServiceSpec("finance", "tradeguard.finance.v1.CreditInsurance", 50053, 9103, True, frozenset()),
)

Doc = dict[str, Any]
Check = Callable[[list[Doc]], list[str]]


# ---------------------------------------------------------------- rendering


def kustomize_command(overlay: Path) -> list[str]:
    """``kubectl kustomize`` when kubectl exists, else the standalone kustomize binary."""
    if shutil.which("kubectl"):
        return ["kubectl", "kustomize", str(overlay)]
    if shutil.which("kustomize"):
        return ["kustomize", "build", str(overlay)]
    raise RuntimeError("neither kubectl nor kustomize is on PATH")


def render_overlay(overlay: Path) -> list[Doc]:
    """The overlay's objects, as kustomize renders them."""
    result = subprocess.run(
        kustomize_command(overlay), capture_output=True, text=True, check=False, timeout=120
    )
    if result.returncode != 0:
        raise RuntimeError(f"kustomize failed for {overlay}: {result.stderr.strip()}")
    return [doc for doc in yaml.safe_load_all(result.stdout) if doc]


def load_rule_groups(path: Path = RULES_FILE) -> list[Doc]:
    groups: list[Doc] = yaml.safe_load(path.read_text())["groups"]
    return groups


def prometheusrule_text(groups: list[Doc]) -> str:
    """The PrometheusRule manifest carrying exactly the groups of rules.yml."""
    manifest = {
        "apiVersion": "monitoring.coreos.com/v1",
        "kind": "PrometheusRule",
        "metadata": {"name": "tradeguard", "labels": {NAME_LABEL: "tradeguard"}},
        "spec": {"groups": groups},
    }
    header = (
        "# Generated from k8s/prometheus/rules.yml by\n"
        "# `python scripts/validate_k8s.py --write-prometheusrule`. Do not edit by hand:\n"
        "# the manifest check fails when this file and rules.yml differ.\n"
    )
    body: str = yaml.safe_dump(manifest, sort_keys=False, width=1000, allow_unicode=True)
    return header + body


# ---------------------------------------------------------------- helpers


def name_of(doc: Doc) -> str:
    return f"{doc.get('kind')}/{doc.get('metadata', {}).get('name')}"


def of_kind(docs: Iterable[Doc], kind: str) -> list[Doc]:
    return [doc for doc in docs if doc.get("kind") == kind]


def pod_spec(doc: Doc) -> Doc:
    """The pod spec inside a Deployment, Job or CronJob."""
    spec: Doc = doc["spec"]
    if doc["kind"] == "CronJob":
        spec = spec["jobTemplate"]["spec"]
    template_spec: Doc = spec["template"]["spec"]
    return template_spec


def all_containers(pod: Doc) -> Iterator[Doc]:
    yield from pod.get("initContainers", [])
    yield from pod.get("containers", [])


def deployment_for(docs: list[Doc], service: str) -> Doc | None:
    for doc in of_kind(docs, "Deployment"):
        if doc["spec"]["template"]["metadata"].get("labels", {}).get(NAME_LABEL) == service:
            return doc
    return None


def selects(selector: Doc | None, labels: Doc) -> bool:
    """Whether a label selector (matchLabels only; {} selects all) matches the labels."""
    match = (selector or {}).get("matchLabels", {})
    return bool(all(labels.get(key) == value for key, value in match.items()))


# ---------------------------------------------------------------- schema checks


def check_schemas(docs: list[Doc], version: str = KUBERNETES_VERSION) -> list[str]:
    """Every non-CRD object validates strictly against the pinned Kubernetes schemas."""
    problems: list[str] = []
    for doc in docs:
        if doc.get("kind") in CRD_KINDS:
            continue
        try:
            kv.validate(doc, version, strict=True)
        except kv.ValidationError as err:
            path = ".".join(str(part) for part in err.path)
            problems.append(f"{name_of(doc)}: schema {version}: {path}: {err.message}")
        except (kv.SchemaNotFoundError, kv.InvalidSchemaError) as err:
            problems.append(f"{name_of(doc)}: {err.message}")
    return problems


# ---------------------------------------------------------------- workload checks


def check_pod_security(where: str, pod: Doc) -> list[str]:
    """Pod Security "restricted" plus our fixed user and read-only root with a writable /tmp."""
    problems: list[str] = []
    context = pod.get("securityContext", {})
    if context.get("runAsNonRoot") is not True or context.get("runAsUser") != UID:
        problems.append(f"{where}: pod must set runAsNonRoot: true and runAsUser: {UID}")
    if context.get("seccompProfile", {}).get("type") != "RuntimeDefault":
        problems.append(f"{where}: pod seccompProfile must be RuntimeDefault")
    if pod.get("automountServiceAccountToken") is not False:
        problems.append(f"{where}: automountServiceAccountToken must be false")
    for container in all_containers(pod):
        problems += check_container_security(f"{where}/{container['name']}", container)
    return problems


def check_container_security(where: str, container: Doc) -> list[str]:
    context = container.get("securityContext", {})
    problems: list[str] = []
    if context.get("allowPrivilegeEscalation") is not False:
        problems.append(f"{where}: allowPrivilegeEscalation must be false")
    if context.get("readOnlyRootFilesystem") is not True:
        problems.append(f"{where}: readOnlyRootFilesystem must be true")
    if context.get("capabilities", {}).get("drop") != ["ALL"]:
        problems.append(f"{where}: capabilities must drop ALL")
    if context.get("runAsUser", UID) == 0 or context.get("privileged"):
        problems.append(f"{where}: must not run as root or privileged")
    mounts = {mount["mountPath"] for mount in container.get("volumeMounts", [])}
    if "/tmp" not in mounts:
        problems.append(f"{where}: needs a writable /tmp volume on a read-only root")
    return problems


def check_resources(where: str, pod: Doc) -> list[str]:
    problems: list[str] = []
    for container in all_containers(pod):
        resources = container.get("resources", {})
        for bound in ("requests", "limits"):
            missing = {"cpu", "memory"} - set(resources.get(bound, {}))
            if missing:
                problems.append(f"{where}/{container['name']}: {bound} lack {sorted(missing)}")
    return problems


def check_probes(where: str, container: Doc, spec: ServiceSpec) -> list[str]:
    """Native gRPC liveness and readiness probes on the numeric gRPC or health port."""
    problems: list[str] = []
    ports = {port["containerPort"] for port in container.get("ports", [])}
    for probe_name in ("livenessProbe", "readinessProbe"):
        grpc = container.get(probe_name, {}).get("grpc")
        if grpc is None:
            problems.append(f"{where}: {probe_name} must be a native grpc probe")
        elif not isinstance(grpc.get("port"), int) or grpc["port"] not in ports:
            problems.append(f"{where}: {probe_name} must use a numeric declared container port")
    # "" flips with readiness, so a liveness probe on it would restart pods whose store is down.
    wanted = {"livenessProbe": LIVENESS_NAME, "readinessProbe": spec.grpc_service}
    for probe_name, service in wanted.items():
        if container.get(probe_name, {}).get("grpc", {}).get("service") != service:
            problems.append(f"{where}: {probe_name} must ask for {service!r}")
    return problems


def check_deployments(docs: list[Doc]) -> list[str]:
    problems: list[str] = []
    for spec in SERVICES:
        deployment = deployment_for(docs, spec.name)
        if deployment is None:
            problems.append(f"Deployment for {spec.name} missing")
            continue
        problems += check_deployment(deployment, spec)
    return problems


def check_deployment(deployment: Doc, spec: ServiceSpec) -> list[str]:
    where = name_of(deployment)
    pod = pod_spec(deployment)
    problems = check_pod_security(where, pod) + check_resources(where, pod)
    container = next((c for c in pod["containers"] if c["name"] == spec.name), None)
    if container is None:
        return problems + [f"{where}: no container named {spec.name}"]
    problems += check_probes(where, container, spec)
    if not str(container.get("image", "")).startswith("tradeguard"):
        problems.append(f"{where}: image must be the tradeguard image")
    if spec.scales_out and deployment["spec"].get("replicas", 1) < 2:
        problems.append(f"{where}: a stateless service needs replicas >= 2")
    return problems


def check_batch(docs: list[Doc]) -> list[str]:
    """Training Job and CronJob: both present, restricted and bounded like the services."""
    problems: list[str] = []
    for kind in ("Job", "CronJob"):
        found = of_kind(docs, kind)
        if not found:
            problems.append(f"no training {kind}")
        for doc in found:
            pod = pod_spec(doc)
            problems += check_pod_security(name_of(doc), pod) + check_resources(name_of(doc), pod)
    return problems


# ---------------------------------------------------------------- availability


def check_availability(docs: list[Doc]) -> list[str]:
    """A policy/v1 PDB for every service; an autoscaling/v2 HPA for every scaled-out one."""
    problems: list[str] = []
    for spec in SERVICES:
        deployment = deployment_for(docs, spec.name)
        if deployment is None:
            continue
        labels = deployment["spec"]["template"]["metadata"]["labels"]
        pdbs = [
            d
            for d in of_kind(docs, "PodDisruptionBudget")
            if selects(d["spec"].get("selector"), labels)
        ]
        if not any(pdb["apiVersion"] == "policy/v1" for pdb in pdbs):
            problems.append(f"{spec.name}: no policy/v1 PodDisruptionBudget")
        if deployment["spec"].get("replicas", 1) >= 2:
            problems += check_hpa(docs, deployment)
    return problems


def check_hpa(docs: list[Doc], deployment: Doc) -> list[str]:
    name = deployment["metadata"]["name"]
    hpas = [
        hpa
        for hpa in of_kind(docs, "HorizontalPodAutoscaler")
        if hpa["spec"]["scaleTargetRef"]
        == {"apiVersion": "apps/v1", "kind": "Deployment", "name": name}
    ]
    if not hpas or hpas[0]["apiVersion"] != "autoscaling/v2":
        return [f"{name}: no autoscaling/v2 HorizontalPodAutoscaler"]
    if hpas[0]["spec"].get("minReplicas", 1) < 2:
        return [f"{name}: HPA minReplicas must keep at least 2 pods"]
    return []


# ---------------------------------------------------------------- network policy


def check_network_policies(docs: list[Doc]) -> list[str]:
    policies = of_kind(docs, "NetworkPolicy")
    problems: list[str] = []
    if not any(is_default_deny(policy) for policy in policies):
        problems.append("no default-deny NetworkPolicy (all pods, Ingress and Egress, no rules)")
    for spec in SERVICES:
        deployment = deployment_for(docs, spec.name)
        if deployment is not None:
            labels = deployment["spec"]["template"]["metadata"]["labels"]
            problems += check_ingress_peers(policies, labels, spec)
    return problems + check_finance_egress(policies, docs)


def is_default_deny(policy: Doc) -> bool:
    spec = policy["spec"]
    return (
        spec.get("podSelector") == {}
        and set(spec.get("policyTypes", [])) == {"Ingress", "Egress"}
        and not spec.get("ingress")
        and not spec.get("egress")
    )


def ingress_rules_for(policies: list[Doc], labels: Doc) -> Iterator[Doc]:
    for policy in policies:
        if selects(policy["spec"].get("podSelector"), labels):
            yield from policy["spec"].get("ingress", [])


def rule_ports(rule: Doc) -> set[int] | None:
    """Numeric ports a rule opens; None when it opens every port."""
    if not rule.get("ports"):
        return None
    return {port.get("port") for port in rule["ports"]}


def check_ingress_peers(policies: list[Doc], labels: Doc, spec: ServiceSpec) -> list[str]:
    """gRPC only from allowed callers and the ingress namespace; metrics only from Prometheus."""
    problems: list[str] = []
    for rule in ingress_rules_for(policies, labels):
        ports = rule_ports(rule)
        peers = rule.get("from")
        if not peers:
            problems.append(f"{spec.name}: an ingress rule admits every source")
            continue
        for peer in peers:
            problems += check_peer(spec, peer, ports)
    return problems


def check_peer(spec: ServiceSpec, peer: Doc, ports: set[int] | None) -> list[str]:
    namespace = (
        peer.get("namespaceSelector", {}).get("matchLabels", {}).get("kubernetes.io/metadata.name")
    )
    pod_name = peer.get("podSelector", {}).get("matchLabels", {}).get(NAME_LABEL)
    if "ipBlock" in peer:
        return [f"{spec.name}: ingress from an ipBlock is not allowed"]
    if namespace == MONITORING_NAMESPACE and ports == {spec.metrics_port}:
        return []
    if ports is None or (spec.metrics_port in ports and namespace != MONITORING_NAMESPACE):
        return [f"{spec.name}: ingress rule opens more than the gRPC port to {peer}"]
    if namespace == INGRESS_NAMESPACE and "podSelector" not in peer:
        return []
    if "namespaceSelector" not in peer and pod_name in spec.callers:
        return []
    return [f"{spec.name}: gRPC ingress from a peer that is not an allowed caller: {peer}"]


def check_finance_egress(policies: list[Doc], docs: list[Doc]) -> list[str]:
    """finance must be able to reach risk and aml through the default deny."""
    finance = deployment_for(docs, "finance")
    if finance is None:
        return []
    labels = finance["spec"]["template"]["metadata"]["labels"]
    opened: set[tuple[str | None, int]] = set()
    for policy in policies:
        if selects(policy["spec"].get("podSelector"), labels):
            for rule in policy["spec"].get("egress", []):
                for peer in rule.get("to", []):
                    target = peer.get("podSelector", {}).get("matchLabels", {}).get(NAME_LABEL)
                    opened |= {(target, port) for port in rule_ports(rule) or set()}
    wanted = {(spec.name, spec.grpc_port) for spec in SERVICES if "finance" in spec.callers}
    return [f"finance: no egress to {name}:{port}" for name, port in sorted(wanted - opened)]


# ---------------------------------------------------------------- services, secrets, config


def check_services(docs: list[Doc]) -> list[str]:
    problems: list[str] = []
    for spec in SERVICES:
        services = [
            d
            for d in of_kind(docs, "Service")
            if d["spec"].get("selector", {}).get(NAME_LABEL) == spec.name
        ]
        ports = {
            port.get("name"): port.get("port") for s in services for port in s["spec"]["ports"]
        }
        if ports.get("grpc") != spec.grpc_port or ports.get("metrics") != spec.metrics_port:
            wanted = f"grpc={spec.grpc_port}, metrics={spec.metrics_port}"
            problems.append(f"{spec.name}: Service needs ports {wanted}")
        if not any(
            d["metadata"]["name"] == f"tradeguard-{spec.name}"
            for d in of_kind(docs, "ServiceAccount")
        ):
            problems.append(f"{spec.name}: no ServiceAccount")
    return problems


def check_secrets(docs: list[Doc]) -> list[str]:
    """Secrets are referenced, never committed: no Secret object may carry data."""
    return [
        f"{name_of(doc)}: Secret with data in the manifests; create it out of band instead"
        for doc in of_kind(docs, "Secret")
        if doc.get("data") or doc.get("stringData")
    ]


def check_config(docs: list[Doc]) -> list[str]:
    """Each service reads its settings from a ConfigMap of TRADEGUARD_* names."""
    problems: list[str] = []
    for spec in SERVICES:
        deployment = deployment_for(docs, spec.name)
        if deployment is None:
            continue
        refs = [
            source["configMapRef"]["name"]
            for container in pod_spec(deployment)["containers"]
            for source in container.get("envFrom", [])
            if "configMapRef" in source
        ]
        maps = [d for d in of_kind(docs, "ConfigMap") if d["metadata"]["name"] in refs]
        prefix = f"TRADEGUARD_{spec.name.upper()}_"
        keys = [key for cm in maps for key in cm.get("data", {})]
        if not keys or any(not key.startswith(prefix) for key in keys):
            problems.append(f"{spec.name}: ConfigMap keys must exist and start with {prefix}")
    return problems


def config_values(docs: list[Doc], container: Doc) -> dict[str, str]:
    """The plain environment a container gets: its ConfigMaps, then its own ``value`` entries."""
    refs = {s["configMapRef"]["name"] for s in container.get("envFrom", []) if "configMapRef" in s}
    values: dict[str, str] = {}
    for config_map in of_kind(docs, "ConfigMap"):
        if config_map["metadata"]["name"] in refs:
            values.update(config_map.get("data", {}))
    values.update({e["name"]: e["value"] for e in container.get("env", []) if "value" in e})
    return values


def volume_at(pod: Doc, container: Doc, path: str) -> tuple[Doc, Doc] | None:
    """The mount holding ``path`` (the deepest one) and its volume."""
    mounts = [
        m
        for m in container.get("volumeMounts", [])
        if path == m["mountPath"] or path.startswith(m["mountPath"].rstrip("/") + "/")
    ]
    if not mounts:
        return None
    mount = max(mounts, key=lambda m: len(m["mountPath"]))
    volume = next((v for v in pod.get("volumes", []) if v["name"] == mount["name"]), None)
    return None if volume is None else (mount, volume)


def check_audit_trail(docs: list[Doc]) -> list[str]:
    """aml's audit key comes read-only from a Secret and is never created in the pod; its
    checkpoints sit on a persistent volume of their own, apart from the alert store."""
    deployment = deployment_for(docs, "aml")
    if deployment is None:
        return []
    pod = pod_spec(deployment)
    container = next((c for c in pod["containers"] if c["name"] == "aml"), None)
    if container is None:
        return []
    values = config_values(docs, container)
    key_file = values.get("TRADEGUARD_AML_AUDIT_KEY_FILE", "")
    checkpoints = values.get("TRADEGUARD_AML_AUDIT_CHECKPOINT_DIR", "")
    problems: list[str] = []
    if values.get("TRADEGUARD_AML_AUDIT_KEY_CREATE", "").lower() != "false":
        problems.append("aml: TRADEGUARD_AML_AUDIT_KEY_CREATE must be false (key from a Secret)")
    key = volume_at(pod, container, key_file) if key_file.startswith("/") else None
    if key is None or "secret" not in key[1] or key[0].get("readOnly") is not True:
        problems.append("aml: TRADEGUARD_AML_AUDIT_KEY_FILE must be on a read-only Secret mount")
    held = volume_at(pod, container, checkpoints) if checkpoints.startswith("/") else None
    if held is None or "persistentVolumeClaim" not in held[1]:
        problems.append("aml: TRADEGUARD_AML_AUDIT_CHECKPOINT_DIR must be on a persistent volume")
    elif held[0].get("readOnly"):
        problems.append("aml: the audit checkpoint volume must be writable")
    else:
        database = values.get("TRADEGUARD_AML_DB_URL", "").removeprefix("sqlite:///")
        store = volume_at(pod, container, database) if database.startswith("/") else None
        if store is not None and store[1]["name"] == held[1]["name"]:
            problems.append("aml: audit checkpoints must not share the alert store's volume")
    return problems


# ---------------------------------------------------------------- monitoring CRDs


def check_monitoring(docs: list[Doc], rule_groups: list[Doc]) -> list[str]:
    problems: list[str] = []
    monitors = of_kind(docs, "ServiceMonitor")
    for spec in SERVICES:
        found = [
            m
            for m in monitors
            if m["spec"]["selector"].get("matchLabels", {}).get(NAME_LABEL) == spec.name
        ]
        if not found or not any(e.get("port") == "metrics" for e in found[0]["spec"]["endpoints"]):
            problems.append(f"{spec.name}: no ServiceMonitor scraping the metrics port")
    rules = of_kind(docs, "PrometheusRule")
    if not rules:
        problems.append("no PrometheusRule")
    elif rules[0]["spec"].get("groups") != rule_groups:
        problems.append(
            "PrometheusRule differs from k8s/prometheus/rules.yml: run "
            "`python scripts/validate_k8s.py --write-prometheusrule`"
        )
    return problems


# ---------------------------------------------------------------- driver


def check_rendered(docs: list[Doc], rule_groups: list[Doc]) -> list[str]:
    """Every problem found in one rendered overlay; empty when it is fit to deploy."""
    checks: tuple[Check, ...] = (
        check_schemas,
        check_deployments,
        check_batch,
        check_availability,
        check_network_policies,
        check_services,
        check_secrets,
        check_config,
        check_audit_trail,
    )
    problems = [problem for check in checks for problem in check(docs)]
    return problems + check_monitoring(docs, rule_groups)


def validate_overlay(overlay: Path, rule_groups: list[Doc]) -> list[str]:
    try:
        docs = render_overlay(overlay)
    except (RuntimeError, subprocess.TimeoutExpired) as err:
        return [str(err)]
    return check_rendered(docs, rule_groups)


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument(
        "--overlay", action="append", type=Path, help="overlay directory (repeatable)"
    )
    parser.add_argument(
        "--write-prometheusrule",
        action="store_true",
        help=f"regenerate {PROMETHEUSRULE_FILE.relative_to(ROOT)} from the rules file and exit",
    )
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    groups = load_rule_groups()
    if args.write_prometheusrule:
        PROMETHEUSRULE_FILE.write_text(prometheusrule_text(groups))
        print(f"wrote {PROMETHEUSRULE_FILE.relative_to(ROOT)}")
        return 0
    failed = False
    for overlay in args.overlay or OVERLAYS:
        problems = validate_overlay(overlay, groups)
        failed = failed or bool(problems)
        for problem in problems:
            print(f"{overlay.name}: {problem}", file=sys.stderr)
        print(f"{overlay.name}: {'FAILED' if problems else 'ok'} (kubernetes {KUBERNETES_VERSION})")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
