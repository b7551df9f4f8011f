"""A tiny Kubernetes REST client for tests/bin/knative-cluster (Python standard library only: it runs on a fresh
machine before any venv exists). Reads the admin kubeconfig that tests/bin/knative-cluster writes.

Also the cluster set-up steps the script runs from the host (RUN_DIR holds the kubeconfig):
    python3 kube.py RUN_DIR apply-knative BIN_DIR SKIP   Knative's CRDs and config maps, the stand-ins, the kwok node
                                                         (SKIP: registries-skipping-tag-resolving)
    python3 kube.py RUN_DIR apply-webhook BIN_DIR IP     Knative's webhook configurations, Service and Endpoints
    python3 kube.py RUN_DIR smoke                        a Knative Service to Ready=True, then deleted
and checks that exit 0 when true:
    python3 kube.py RUN_DIR ready                        the apiserver's /readyz answers ok
    python3 kube.py RUN_DIR webhook-ready                Knative's webhook defaults a Service
    python3 kube.py RUN_DIR condition PATH TYPE          the object at PATH has condition TYPE True
    python3 kube.py RUN_DIR exists PATH                  PATH answers 200
"""
import base64
import json
import os
import re
import ssl
import sys
import tempfile
import time
import urllib.error
import urllib.request


class Kube:
    def __init__(self, kubeconfig):
        # the kubeconfig is ours (written by tests/bin/knative-cluster), one cluster and one user: no YAML parser needed
        text = open(kubeconfig).read()
        self.server = re.search(r"^\s*server:\s*(\S+)", text, re.M).group(1)
        self.token = re.search(r"^\s*token:\s*(\S+)", text, re.M).group(1)
        ca = base64.b64decode(re.search(r"^\s*certificate-authority-data:\s*(\S+)", text, re.M).group(1))
        with tempfile.NamedTemporaryFile("wb", suffix=".crt", delete=False) as f:
            f.write(ca)
        self.tls = ssl.create_default_context(cafile=f.name)
        os.unlink(f.name)
        # the apiserver is on a local veth: never through a proxy
        self.opener = urllib.request.build_opener(urllib.request.ProxyHandler({}),
                                                  urllib.request.HTTPSHandler(context=self.tls))

    def request(self, method, path, body=None, content_type="application/json", timeout=30):
        """(status, parsed JSON body or error text)"""
        if body is not None and not isinstance(body, (bytes, str)):
            body = json.dumps(body)
        if isinstance(body, str):
            body = body.encode()
        r = urllib.request.Request(self.server + path, data=body, method=method)
        r.add_header("Authorization", "Bearer " + self.token)
        r.add_header("Accept", "application/json")
        if body is not None:
            r.add_header("Content-Type", content_type)
        try:
            with self.opener.open(r, timeout=timeout) as response:
                data = response.read()
                if response.headers.get_content_type() == "application/json":
                    return response.status, json.loads(data)
                return response.status, data.decode(errors="replace")  # /readyz: "ok"
        except urllib.error.HTTPError as e:
            return e.code, e.read().decode(errors="replace")[:2000]

    def watch(self, path, resource_version, seconds=300):
        """The events of a watch from resource_version (ends after about `seconds`)."""
        r = urllib.request.Request(f"{self.server}{path}?watch=1&resourceVersion={resource_version}"
                                   f"&timeoutSeconds={seconds}")
        r.add_header("Authorization", "Bearer " + self.token)
        with self.opener.open(r, timeout=seconds + 30) as response:
            for line in response:
                yield json.loads(line)

    def get(self, path):
        status, body = self.request("GET", path)
        return body if status == 200 else None

    def must(self, method, path, body=None, content_type="application/json", ok=(200, 201)):
        status, answer = self.request(method, path, body, content_type)
        if status not in ok:
            raise RuntimeError(f"{method} {path} -> {status}: {answer}")
        return answer


def conditions(obj):
    """{type: (status, reason, message)}"""
    return {c["type"]: (c.get("status"), c.get("reason", ""), c.get("message", ""))
            for c in ((obj or {}).get("status") or {}).get("conditions") or []}


def log(message):
    """Like tests/bin/knative-cluster's log: time since its start"""
    since = f" +{time.time() - float(os.environ['KNATIVE_CLUSTER_T0']):.1f}s" if "KNATIVE_CLUSTER_T0" in os.environ else ""
    print(f"[knative-cluster {time.strftime('%H:%M:%S')}{since}] {message}", file=sys.stderr, flush=True)


# The few settings Knative needs that differ from its shipped config maps.
INGRESS_CLASS = "mlflow-knative.ingress.networking.knative.dev"
QUEUE_IMAGE = "registry.local/queue-proxy@sha256:" + "0" * 64


def config_overrides(skip_registries):
    return {
        # tag → digest resolution would call the registry from the controller; digest-pinned images skip it anyway
        "config-deployment": {"registries-skipping-tag-resolving": skip_registries,
                              "queue-sidecar-image": QUEUE_IMAGE},
        # the KIngress class our status writer (kingress-writer.py) answers for
        "config-network": {"ingress-class": INGRESS_CLASS},
        "config-domain": {"example.com": ""},
    }


def yaml_documents(path):
    """The documents of a multi-document YAML file, as text (the apiserver itself parses YAML request bodies)."""
    for doc in re.split(r"^---[ \t]*$", open(path).read(), flags=re.M):
        kind = re.search(r"^kind:\s*(\S+)", doc, re.M)
        if kind:
            yield kind.group(1), doc


def apply_knative(kube, bin_dir, skip_registries):
    started = time.time()
    kube.must("POST", "/api/v1/namespaces", {"apiVersion": "v1", "kind": "Namespace",
                                             "metadata": {"name": "knative-serving"}})
    crds, config_maps = [], []
    knative = os.path.join(bin_dir, "knative")
    files = []
    for part in ("serving", "networking", "caching", "serving/configmaps"):
        d = os.path.join(knative, part)
        files += sorted(os.path.join(d, f) for f in os.listdir(d) if f.endswith(".yaml"))
    for path in files:
        for kind, doc in yaml_documents(path):
            if kind == "CustomResourceDefinition":
                crd = kube.must("POST", "/apis/apiextensions.k8s.io/v1/customresourcedefinitions", doc, "application/yaml")
                crds.append(crd["metadata"]["name"])
            elif kind == "ConfigMap":
                cm = kube.must("POST", "/api/v1/namespaces/knative-serving/configmaps", doc, "application/yaml")
                config_maps.append(cm["metadata"]["name"])
            # other kinds (RBAC, webhooks of the in-cluster install) are not needed here
    for name, data in config_overrides(skip_registries).items():
        kube.must("PATCH", f"/api/v1/namespaces/knative-serving/configmaps/{name}", {"data": data},
                  "application/merge-patch+json")
    # The serverless-service reconciler reads the activator's Endpoints. No activator runs: a selector-less Service
    # and an Endpoints object without addresses (the SKS then stays in Serve mode, pods are addressed directly).
    kube.must("POST", "/api/v1/namespaces/knative-serving/services", {
        "apiVersion": "v1", "kind": "Service", "metadata": {"name": "activator-service"},
        "spec": {"ports": [{"name": "http", "port": 80, "targetPort": 8012}]}})
    kube.must("POST", "/api/v1/namespaces/knative-serving/endpoints", {
        "apiVersion": "v1", "kind": "Endpoints", "metadata": {"name": "activator-service"}, "subsets": []})
    # The node kwok plays the kubelet of (--manage-all-nodes). The apiserver runs without the TaintNodesByCondition
    # admission plugin, so the node is not born with the not-ready taint that nobody would lift here.
    kube.must("POST", "/api/v1/nodes", {"apiVersion": "v1", "kind": "Node", "metadata": {
        "name": "kwok-node-0", "labels": {"type": "kwok", "kubernetes.io/hostname": "kwok-node-0"},
        "annotations": {"kwok.x-k8s.io/node": "fake"}}})
    for name in crds:
        while "True" != conditions(kube.get(f"/apis/apiextensions.k8s.io/v1/customresourcedefinitions/{name}")).get(
                "Established", ("",))[0]:
            time.sleep(0.1)
    log(f"{len(crds)} Knative CRDs Established, {len(config_maps)} config maps in {time.time() - started:.1f} s")


def smoke_service(name, namespace, image):
    """A Knative Service as Knative's webhook would leave it (the webhook does not run here: see FINDINGS.md)."""
    return {"apiVersion": "serving.knative.dev/v1", "kind": "Service",
            "metadata": {"name": name, "namespace": namespace},
            "spec": {"template": {"spec": {
                "timeoutSeconds": 300,
                "containers": [{"name": "user-container", "image": image, "ports": [{"containerPort": 8080}],
                                "readinessProbe": {"successThreshold": 1, "tcpSocket": {"port": 0}}}]}},
                "traffic": [{"latestRevision": True, "percent": 100}]}}


def wait_service(kube, namespace, name, seconds=120):
    """Waits for Ready True/False with the current generation observed; returns (status, seconds, service)."""
    started = time.time()
    while time.time() - started < seconds:
        ksvc = kube.get(f"/apis/serving.knative.dev/v1/namespaces/{namespace}/services/{name}")
        ready = conditions(ksvc).get("Ready", ("Unknown",))[0]
        if ksvc and ready != "Unknown" and \
                ksvc["status"].get("observedGeneration") == ksvc["metadata"]["generation"]:
            return ready, time.time() - started, ksvc
        time.sleep(0.2)
    return "Timeout", time.time() - started, kube.get(f"/apis/serving.knative.dev/v1/namespaces/{namespace}/services/{name}")


def smoke(kube):
    namespace, name = "knative-cluster-smoke", "smoke"
    kube.must("POST", "/api/v1/namespaces", {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": namespace}})
    kube.must("POST", f"/apis/serving.knative.dev/v1/namespaces/{namespace}/services",
              smoke_service(name, namespace, "registry.local/smoke@sha256:" + "5" * 64))
    ready, seconds, ksvc = wait_service(kube, namespace, name)
    if ready != "True":
        raise SystemExit(f"smoke Knative Service: Ready={ready} after {seconds:.1f} s: "
                         f"{json.dumps((ksvc or {}).get('status'))}")
    log(f"smoke Knative Service Ready=True {seconds:.1f} s after create, url {ksvc['status']['url']}")
    # the namespace controller and the garbage collector clean up the rest
    kube.must("DELETE", f"/api/v1/namespaces/{namespace}")


def apply_webhook(kube, bin_dir, address):
    """Knative's webhook configurations and secret (from BIN_DIR/knative/serving/webhooks), and a selector-less
    Service knative-serving/webhook whose endpoint is the webhook process at ADDRESS:8443."""
    d = os.path.join(bin_dir, "knative", "serving", "webhooks")
    paths = {"MutatingWebhookConfiguration": "/apis/admissionregistration.k8s.io/v1/mutatingwebhookconfigurations",
             "ValidatingWebhookConfiguration": "/apis/admissionregistration.k8s.io/v1/validatingwebhookconfigurations",
             "Secret": "/api/v1/namespaces/knative-serving/secrets"}
    for f in sorted(os.listdir(d)):
        if f.endswith(".yaml"):
            for kind, doc in yaml_documents(os.path.join(d, f)):
                kube.must("POST", paths[kind], doc, "application/yaml")
    kube.must("POST", "/api/v1/namespaces/knative-serving/services", {
        "apiVersion": "v1", "kind": "Service", "metadata": {"name": "webhook"},
        "spec": {"ports": [{"name": "https-webhook", "port": 443, "targetPort": 8443}]}})
    kube.must("POST", "/api/v1/namespaces/knative-serving/endpoints", {
        "apiVersion": "v1", "kind": "Endpoints", "metadata": {"name": "webhook"},
        "subsets": [{"addresses": [{"ip": address}], "ports": [{"name": "https-webhook", "port": 8443}]}]})


def webhook_ready(kube):
    """The webhook has written its CA into its configuration and defaults a Service (dry run)."""
    mwc = kube.get("/apis/admissionregistration.k8s.io/v1/mutatingwebhookconfigurations/webhook.serving.knative.dev")
    if not (mwc and mwc["webhooks"][0]["clientConfig"].get("caBundle")):
        raise SystemExit(1)
    ksvc = {"apiVersion": "serving.knative.dev/v1", "kind": "Service", "metadata": {"name": "probe"},
            "spec": {"template": {"spec": {"containers": [{"image": QUEUE_IMAGE}]}}}}
    status, answer = kube.request("POST", "/apis/serving.knative.dev/v1/namespaces/default/services?dryRun=All", ksvc)
    if status != 201 or "traffic" not in answer["spec"]:
        raise SystemExit(1)


def main():
    run_dir, command = sys.argv[1], sys.argv[2]
    kube = Kube(os.path.join(run_dir, "kubeconfig"))
    if command == "ready":
        sys.exit(0 if kube.request("GET", "/readyz", timeout=2)[0] == 200 else 1)
    elif command == "apply-knative":
        apply_knative(kube, sys.argv[3], sys.argv[4])
    elif command == "apply-webhook":
        apply_webhook(kube, sys.argv[3], sys.argv[4])
    elif command == "webhook-ready":
        webhook_ready(kube)
    elif command == "smoke":
        smoke(kube)
    elif command == "condition":
        sys.exit(0 if conditions(kube.get(sys.argv[3])).get(sys.argv[4], ("",))[0] == "True" else 1)
    elif command == "exists":
        sys.exit(0 if kube.request("GET", sys.argv[3])[0] == 200 else 1)
    else:
        raise SystemExit(f"unknown command {command}")


if __name__ == "__main__":
    main()
