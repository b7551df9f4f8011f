"""End-to-end checks of a running tests/bin/knative-cluster, from the host (what tests/knative/FINDINGS.md reports).
    python3 tests/knative/check.py ready                  a digest-pinned Service to Ready=True, then an 80/20 split
    python3 tests/knative/check.py fault KIND [SECONDS [DEADLINE]]
                  a Service whose pods fail (KIND crash-loop, image-pull, never-ready): timeline until Ready=False
                  or SECONDS; DEADLINE: the revision's serving.knative.dev/progress-deadline (e.g. 20s)
    python3 tests/knative/check.py bare NAME [OMIT...]    a Service without some of the webhook's defaults
Each prints a timeline: +seconds, object, what changed."""
import json
import os
import sys
import time

sys.dont_write_bytecode = True  # no __pycache__ in the clone
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from kube import Kube, conditions, smoke_service, wait_service  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
kube = Kube(os.path.join(ROOT, "tests/.work/knative-cluster/kubeconfig"))
NS = "check"
SERVING = f"/apis/serving.knative.dev/v1/namespaces/{NS}"


def digest(c):
    return "registry.local/model@sha256:" + c * 64


def ensure_namespace():
    status, _ = kube.request("POST", "/api/v1/namespaces", {"apiVersion": "v1", "kind": "Namespace",
                                                           "metadata": {"name": NS}})
    assert status in (201, 409), status


class Timeline:
    def __init__(self):
        self.t0, self.seen = time.time(), {}

    def record(self, key, value):
        if value is not None and self.seen.get(key) != value:
            self.seen[key] = value
            print(f"+{time.time() - self.t0:6.1f}s {key}: {json.dumps(value)}", flush=True)

    def snapshot(self, name):
        ksvc = kube.get(f"{SERVING}/services/{name}")
        self.record("ksvc", {k: v[:2] for k, v in conditions(ksvc).items()})
        self.record("ksvc messages", {k: v[2] for k, v in conditions(ksvc).items() if v[2]} or None)
        revisions = kube.get(f"{SERVING}/revisions?labelSelector=serving.knative.dev/service={name}") or {"items": []}
        for rev in revisions["items"]:
            n = rev["metadata"]["name"]
            self.record(f"revision {n}", {k: v[:2] for k, v in conditions(rev).items()})
            self.record(f"revision {n} messages", {k: v[2] for k, v in conditions(rev).items() if v[2]} or None)
        deployments = kube.get(f"/apis/apps/v1/namespaces/{NS}/deployments?labelSelector=serving.knative.dev/service={name}")
        for d in (deployments or {"items": []})["items"]:
            self.record(f"deployment {d['metadata']['name']}", {k: v[:2] for k, v in conditions(d).items()})
        pods = kube.get(f"/api/v1/namespaces/{NS}/pods?labelSelector=serving.knative.dev/service={name}")
        for p in (pods or {"items": []})["items"]:
            st = p.get("status") or {}
            self.record(f"pod {p['metadata']['name']}", {
                "phase": st.get("phase"), "ready": conditions(p).get("Ready", ("",))[0],
                "containers": {c["name"]: {"state": c.get("state"), "lastState": c.get("lastState") or None}
                               for c in st.get("containerStatuses") or [] if c["name"] != "queue-proxy"}})
        return ksvc


def ready():
    ensure_namespace()
    body = smoke_service("hello", NS, digest("a"))
    kube.must("POST", f"{SERVING}/services", body)
    state, seconds, ksvc = wait_service(kube, NS, "hello")
    print(f"== hello: Ready={state} {seconds:.1f} s after create")
    print(json.dumps(ksvc["status"], indent=1))
    # a second revision and an 80/20 split, the new one tagged candidate
    first = ksvc["status"]["latestReadyRevisionName"]
    ksvc["spec"]["template"]["spec"]["containers"][0]["image"] = digest("b")
    ksvc["spec"]["template"]["metadata"] = {"name": "hello-candidate"}
    ksvc["spec"]["traffic"] = [{"revisionName": first, "percent": 80},
                               {"revisionName": "hello-candidate", "percent": 20, "tag": "candidate"}]
    kube.must("PUT", f"{SERVING}/services/hello", ksvc)
    state, seconds, ksvc = wait_service(kube, NS, "hello")
    print(f"== hello split: Ready={state} {seconds:.1f} s after the update")
    print(json.dumps(ksvc["status"], indent=1))


def fault(kind, seconds=700, deadline=None):
    ensure_namespace()
    name = f"fault-{kind}" + (f"-{deadline}" if deadline else "")
    body = smoke_service(name, NS, digest("c"))
    body["spec"]["template"]["metadata"] = {"labels": {"mlflow-knative.test/fault": kind}}
    if deadline:
        body["spec"]["template"]["metadata"]["annotations"] = {"serving.knative.dev/progress-deadline": deadline}
    kube.must("POST", f"{SERVING}/services", body)
    t = Timeline()
    while time.time() - t.t0 < seconds:
        ksvc = t.snapshot(name)
        c = conditions(ksvc)
        if c.get("Ready", ("Unknown",))[0] == "False" and \
                c.get("ConfigurationsReady", ("Unknown",))[0] == "False":
            break
        time.sleep(0.5)
    time.sleep(2)
    t.snapshot(name)
    print(f"== {name}: final ksvc status")
    print(json.dumps(kube.get(f"{SERVING}/services/{name}").get("status"), indent=1))


def bare(name, *omit):
    """The smoke Service without some of what the webhook would default: timeoutSeconds, readinessProbe,
    containerName, traffic, ports, containerConcurrency..."""
    ensure_namespace()
    body = smoke_service(name, NS, digest("d"))
    spec, container = body["spec"]["template"]["spec"], body["spec"]["template"]["spec"]["containers"][0]
    for what in omit:
        {"timeoutSeconds": lambda: spec.pop("timeoutSeconds"),
         "readinessProbe": lambda: container.pop("readinessProbe"),
         "containerName": lambda: container.pop("name"),
         "ports": lambda: container.pop("ports"),
         "traffic": lambda: body["spec"].pop("traffic")}[what]()
    print("spec:", json.dumps(body["spec"]))
    kube.must("POST", f"{SERVING}/services", body)
    t = Timeline()
    while time.time() - t.t0 < 40:
        ksvc = t.snapshot(name)
        if conditions(ksvc).get("Ready", ("Unknown",))[0] == "True" and \
                ksvc["status"].get("observedGeneration") == ksvc["metadata"]["generation"]:
            break
        time.sleep(0.5)
    print(f"== {name}: final ksvc status")
    print(json.dumps(kube.get(f"{SERVING}/services/{name}").get("status"), indent=1))


if __name__ == "__main__":
    command, args = sys.argv[1], sys.argv[2:]
    if command == "ready":
        ready()
    elif command == "fault":
        fault(args[0], float(args[1]) if len(args) > 1 else 700, *args[2:])
    elif command == "bare":
        bare(*args)
    else:
        raise SystemExit(__doc__)
