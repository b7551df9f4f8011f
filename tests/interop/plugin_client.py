"""Drives the Python plugin mlflow-knative (the real package from PyPI) for the interop tests.

Usage: python plugin_client.py COMMAND JSON_ARGS   (environment: KUBECONFIG, DOCKER_HOST, MLFLOW_TRACKING_URI)
Prints one JSON line: {"ok": true, "result": ...} or {"ok": false, "error": "..."}.

Only one step of the plugin is replaced, and only for "create" when asked: mlflow.models.build_docker, which needs
Docker Hub base images and a container network that reach PyPI (neither exists here). The replacement tags a
prebuilt image of the same model under the name the plugin asked for; the plugin's registry check, its push through
the Docker engine, its manifest and its Kubernetes calls all run as published.
"""
import json
import sys
import warnings

warnings.filterwarnings("ignore")

import docker  # noqa: E402
import mlflow.deployments  # noqa: E402
import pandas  # noqa: E402
from mlflow_knative import mlflow_docker  # noqa: E402


def prebuilt_build(prebuilt):
    def build(model_uri, image):
        engine = docker.from_env()
        engine.images.pull(prebuilt)
        engine.images.get(prebuilt).tag(image)
    return build


def main(command, args):
    client = mlflow.deployments.get_deploy_client(args["target"])
    if command == "create":
        if args.get("prebuilt"):
            mlflow_docker._mlflow_build_docker_image = prebuilt_build(args["prebuilt"])
        return client.create_deployment(args["name"], args["modelUri"], config=args.get("config"))
    if command == "update":
        return client.update_deployment(args["name"], args["modelUri"], config=args.get("config"))
    if command == "delete":
        return client.delete_deployment(args["name"], config=args.get("config"))
    if command == "predict":
        frame = pandas.DataFrame(args["data"], columns=args["columns"])
        return client.predict(args["name"], frame)
    raise ValueError(f"unknown command {command}")


if __name__ == "__main__":
    try:
        result = main(sys.argv[1], json.loads(sys.argv[2]))
        print(json.dumps({"ok": True, "result": result}, default=str))
    except Exception as error:  # the tests assert on the plugin's own message
        print(json.dumps({"ok": False, "error": f"{type(error).__name__}: {error}"}))
