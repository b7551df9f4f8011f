"""Logs and registers a pyfunc model with one large artifact file, for the download benchmark.

Usage: MLFLOW_TRACKING_URI=... python big_model.py NAME SIZE_MB
Prints the run id. The model's MLmodel is genuine; its payload is random bytes.
"""
import os
import sys
import tempfile

import mlflow
import yaml


def main(name, size_mb):
    with tempfile.TemporaryDirectory() as tmp:
        model_dir = os.path.join(tmp, "model")
        os.makedirs(model_dir)
        with open(os.path.join(model_dir, "payload.bin"), "wb") as f:
            for _ in range(size_mb):
                f.write(os.urandom(1024 * 1024))
        with mlflow.start_run() as run:
            with open(os.path.join(model_dir, "MLmodel"), "w") as f:
                yaml.safe_dump({"artifact_path": "model", "run_id": run.info.run_id,
                                "mlflow_version": mlflow.__version__,
                                "flavors": {"python_function": {"loader_module": "mlflow.pyfunc.model",
                                                                "python_version": "3.11.7"}}}, f)
            with open(os.path.join(model_dir, "requirements.txt"), "w") as f:
                f.write(f"mlflow=={mlflow.__version__}\n")
            mlflow.log_artifacts(model_dir, artifact_path="model")
    mlflow.register_model(f"runs:/{run.info.run_id}/model", name)
    print(run.info.run_id)


if __name__ == "__main__":
    main(sys.argv[1], int(sys.argv[2]))
