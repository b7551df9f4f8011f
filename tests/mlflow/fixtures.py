"""Logs and registers the MLflow fixture models the Java tests resolve, against a running tracking server.

Usage: MLFLOW_TRACKING_URI=http://127.0.0.1:PORT python fixtures.py OUTPUT.json

Prints (and writes to OUTPUT.json) the ids the tests need, so nothing is hard-coded on the Java side.
"""
import json
import os
import platform
import sys
import tempfile
import warnings

warnings.filterwarnings("ignore")

import mlflow  # noqa: E402
import pandas  # noqa: E402
import yaml  # noqa: E402
from mlflow import MlflowClient  # noqa: E402
from mlflow.models import infer_signature  # noqa: E402
from sklearn.datasets import load_iris  # noqa: E402
from sklearn.linear_model import LogisticRegression  # noqa: E402


class AddN(mlflow.pyfunc.PythonModel):
    """A custom pyfunc model: adds n to every input value."""

    def __init__(self, n):
        self.n = n

    def predict(self, context, model_input, params=None):
        return model_input.apply(lambda column: column + self.n)


class Scale(mlflow.pyfunc.PythonModel):
    """A custom pyfunc model with an inference parameter: multiplies every input value by params["factor"]."""

    def predict(self, context, model_input, params=None):
        return model_input * (params or {}).get("factor", 1.0)


class Constant(mlflow.pyfunc.PythonModel):
    """A custom pyfunc model that predicts the same value for every row."""

    def __init__(self, value):
        self.value = value

    def predict(self, context, model_input, params=None):
        return [self.value] * len(model_input)


def log_two_models_in_one_run():
    """One run, two models (the normal case in MLflow 3): model_a predicts 1, model_b predicts 2."""
    with mlflow.start_run() as run:
        a = mlflow.pyfunc.log_model(name="model_a", python_model=Constant(1), registered_model_name="two-a",
                                    pip_requirements=["pandas"])
        b = mlflow.pyfunc.log_model(name="model_b", python_model=Constant(2), registered_model_name="two-b",
                                    pip_requirements=["pandas"])
    return {"run": run.info.run_id, "modelIds": [a.model_id, b.model_id], "names": ["two-a", "two-b"],
            "paths": ["model_a", "model_b"], "predictions": [1, 2]}


def log_sklearn(client, name, c):
    x, y = load_iris(return_X_y=True, as_frame=True)
    model = LogisticRegression(C=c, max_iter=500).fit(x, y)
    with mlflow.start_run() as run:
        info = mlflow.sklearn.log_model(model, name="model", registered_model_name=name,
                                        input_example=x.head(2))
    return run.info.run_id, info


def log_onnx_only(client):
    """A model with no python_function flavor: an MLmodel naming only a foreign flavor."""
    with tempfile.TemporaryDirectory() as tmp:
        model_dir = os.path.join(tmp, "model")
        os.makedirs(model_dir)
        with open(os.path.join(model_dir, "MLmodel"), "w") as f:
            yaml.safe_dump({"artifact_path": "model",
                            "flavors": {"onnx": {"onnx_version": "1.16.0", "data": "model.onnx"}},
                            "mlflow_version": mlflow.__version__}, f)
        with open(os.path.join(model_dir, "model.onnx"), "wb") as f:
            f.write(b"not really onnx")
        with mlflow.start_run() as run:
            mlflow.log_artifacts(model_dir, artifact_path="model")
    version = mlflow.register_model(f"runs:/{run.info.run_id}/model", "onnx-only")
    return run.info.run_id, version.version


def main(output):
    client = MlflowClient()
    mlflow.set_experiment("camel-mlflow-knative-fixtures")

    iris_run_1, iris_info_1 = log_sklearn(client, "iris", 1.0)
    iris_run_2, iris_info_2 = log_sklearn(client, "iris", 0.5)
    client.set_registered_model_alias("iris", "champion", "1")
    client.set_registered_model_alias("iris", "challenger", "2")
    stage = None
    try:
        client.transition_model_version_stage("iris", "1", "Production")
        stage = "Production"
    except Exception as error:  # stages are deprecated; record whether this server still has them
        print(f"stages unavailable: {error}", file=sys.stderr)

    with tempfile.TemporaryDirectory() as tmp, mlflow.start_run() as run:
        vocabulary = os.path.join(tmp, "vocabulary.txt")
        with open(vocabulary, "w") as f:
            f.write("alpha\nbeta\n")
        # an extra artifact, so that the model directory has a nested folder (artifacts/vocabulary.txt)
        custom_info = mlflow.pyfunc.log_model(name="model", python_model=AddN(10),
                                              artifacts={"vocabulary": vocabulary},
                                              registered_model_name="custom-add",
                                              pip_requirements=["pandas"])
    custom_run = run.info.run_id

    example = pandas.DataFrame({"x": [1.0, 2.0]})
    with mlflow.start_run() as run:
        mlflow.pyfunc.log_model(name="model", python_model=Scale(), registered_model_name="scale",
                                signature=infer_signature(example, example, params={"factor": 1.0}),
                                pip_requirements=["pandas"])
    scale_run = run.info.run_id

    onnx_run, onnx_version = log_onnx_only(client)
    two_models = log_two_models_in_one_run()

    fixtures = {
        "trackingUri": mlflow.get_tracking_uri(),
        "mlflowVersion": mlflow.__version__,
        "pythonVersion": platform.python_version(),
        "iris": {"runs": [iris_run_1, iris_run_2], "modelIds": [iris_info_1.model_id, iris_info_2.model_id],
                 "versions": ["1", "2"], "aliases": {"champion": "1", "challenger": "2"}, "stage": stage},
        "custom": {"run": custom_run, "modelId": custom_info.model_id, "version": "1"},
        "scale": {"run": scale_run, "version": "1"},
        "onnxOnly": {"run": onnx_run, "version": onnx_version},
        "twoModels": two_models,
    }
    with open(output, "w") as f:
        json.dump(fixtures, f, indent=2)
    print(json.dumps(fixtures, indent=2))


if __name__ == "__main__":
    main(sys.argv[1])
