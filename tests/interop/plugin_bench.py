"""Times the Python plugin mlflow-knative (from PyPI) in-process, for the side-by-side benchmark.

Usage: python plugin_bench.py JSON_ARGS   (environment: KUBECONFIG, DOCKER_HOST, MLFLOW_TRACKING_URI)
JSON_ARGS: {"target": ..., "warmup": W, "runs": N, "op": "list" | "get" | "update", "name": ...,
            "updates": [[modelUri, config], ...]}
Prints one JSON line: {"seconds": [...], "calls": C} — one wall time per timed call, the client built once beforehand
and W untimed calls made first (no interpreter, import or first-call time in the figures); C is the number of HTTP
requests the plugin's kubernetes client sent during the N timed calls (a watch counts once), counted in-process.

For "update", MLflow's build_docker is replaced by nothing: the benchmark measures the update up to Ready, not the
image build, so the images are tagged in the Docker engine beforehand; the plugin's registry check, push, PATCH and
readiness watch run as published. The updates alternate through "updates" across warm-up and timed calls alike.
"""
import json
import sys
import time
import warnings

warnings.filterwarnings("ignore")

import mlflow.deployments  # noqa: E402
from kubernetes.client import rest  # noqa: E402
from mlflow_knative import mlflow_docker  # noqa: E402

CALLS = [0]
_request = rest.RESTClientObject.request


def _counted(self, *args, **kwargs):
    CALLS[0] += 1
    return _request(self, *args, **kwargs)


rest.RESTClientObject.request = _counted


def main(args):
    client = mlflow.deployments.get_deploy_client(args["target"])
    mlflow_docker._mlflow_build_docker_image = lambda model_uri, image: None
    warmup = args.get("warmup", 0)
    seconds = []
    for i in range(warmup + args["runs"]):
        if i == warmup:
            CALLS[0] = 0
        started = time.perf_counter()
        if args["op"] == "list":
            client.list_deployments()
        elif args["op"] == "get":
            client.get_deployment(args["name"])
        elif args["op"] == "update":
            model_uri, config = args["updates"][i % len(args["updates"])]
            client.update_deployment(args["name"], model_uri, config=config)
        else:
            raise ValueError(args["op"])
        if i >= warmup:
            seconds.append(time.perf_counter() - started)
    return {"seconds": seconds, "calls": CALLS[0]}


if __name__ == "__main__":
    print(json.dumps(main(json.loads(sys.argv[1]))))
