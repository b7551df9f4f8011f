"""Times the Python plugin mlflow-knative (from PyPI) in-process, for the side-by-side benchmark.

Usage: python plugin_bench.py JSON_ARGS   (environment: KUBECONFIG, DOCKER_HOST, MLFLOW_TRACKING_URI)
JSON_ARGS: {"target": ..., "runs": N, "op": "list" | "get" | "update", "name": ..., "updates": [[modelUri, config], ...]}
Prints one JSON line: {"seconds": [...]} — one wall time per call, the client built once beforehand (no interpreter
or import time in the figures).

For "update", MLflow's build_docker is replaced by nothing: the benchmark measures the update up to Ready, not the
image build, so the images are tagged in the Docker engine beforehand; the plugin's registry check, push, PATCH and
readiness watch run as published.
"""
import json
import sys
import time
import warnings

warnings.filterwarnings("ignore")

import mlflow.deployments  # noqa: E402
from mlflow_knative import mlflow_docker  # noqa: E402


def main(args):
    client = mlflow.deployments.get_deploy_client(args["target"])
    seconds = []
    for i in range(args["runs"]):
        started = time.perf_counter()
        if args["op"] == "list":
            client.list_deployments()
        elif args["op"] == "get":
            client.get_deployment(args["name"])
        elif args["op"] == "update":
            mlflow_docker._mlflow_build_docker_image = lambda model_uri, image: None
            model_uri, config = args["updates"][i % len(args["updates"])]
            client.update_deployment(args["name"], model_uri, config=config)
        else:
            raise ValueError(args["op"])
        seconds.append(time.perf_counter() - started)
    return {"seconds": seconds}


if __name__ == "__main__":
    print(json.dumps(main(json.loads(sys.argv[1]))))
