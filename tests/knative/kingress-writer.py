"""Stand-in for a Knative networking layer (Kourier, Istio, ...): marks every networking.internal.knative.dev Ingress
of our class Ready, with a load balancer address, for the generation it sees. Nothing routes traffic: the tests
check what Knative writes, not requests to the model.
    python3 kingress-writer.py KUBECONFIG
"""
import datetime
import http.client
import os
import sys
import time

sys.dont_write_bytecode = True  # no __pycache__ in the clone
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from kube import INGRESS_CLASS, Kube  # noqa: E402

INGRESSES = "/apis/networking.internal.knative.dev/v1alpha1"
# what Kourier reports: Knative copies it into the Route's status.address and a placeholder ExternalName Service
LOAD_BALANCER = {"ingress": [{"domainInternal": "kourier-internal.kourier-system.svc.cluster.local"}]}


def ready(ingress):
    status = ingress.get("status") or {}
    return status.get("observedGeneration") == ingress["metadata"]["generation"] and any(
        c["type"] == "Ready" and c["status"] == "True" for c in status.get("conditions") or [])


def mark_ready(kube, ingress):
    meta = ingress["metadata"]
    now = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
    ingress["status"] = {
        "observedGeneration": meta["generation"],
        "publicLoadBalancer": LOAD_BALANCER, "privateLoadBalancer": LOAD_BALANCER,
        "conditions": [{"type": t, "status": "True", "lastTransitionTime": now}
                       for t in ("LoadBalancerReady", "NetworkConfigured", "Ready")]}
    # PUT with the resourceVersion we read: a newer generation in between gets a 409, and the next round
    status, answer = kube.request(
        "PUT", f"{INGRESSES}/namespaces/{meta['namespace']}/ingresses/{meta['name']}/status", ingress)
    print(time.strftime("%H:%M:%S"), meta["namespace"], meta["name"], "generation", meta["generation"], "->", status,
          "" if status == 200 else answer, flush=True)


def main():
    kube = Kube(sys.argv[1])

    def handle(ingress):
        annotations = ingress["metadata"].get("annotations") or {}
        if annotations.get("networking.knative.dev/ingress.class") == INGRESS_CLASS and not ready(ingress):
            mark_ready(kube, ingress)

    while True:
        try:  # list, then watch from there; a closed or expired watch starts over
            status, answer = kube.request("GET", f"{INGRESSES}/ingresses")
            if status != 200:
                raise OSError(f"list -> {status} {answer}")  # e.g. 429 while the apiserver starts
            for ingress in answer["items"]:
                handle(ingress)
            for event in kube.watch(f"{INGRESSES}/ingresses", answer["metadata"]["resourceVersion"]):
                if event["type"] in ("ADDED", "MODIFIED"):
                    handle(event["object"])
                elif event["type"] == "ERROR":
                    break
        except (OSError, http.client.HTTPException, ValueError) as e:  # the apiserver starts or stops
            print("retrying:", e, flush=True)
            time.sleep(1)


if __name__ == "__main__":
    main()
