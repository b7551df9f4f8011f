package dev.mlflowknative.camel;

/**
 * The model reference names nothing in MLflow: an unknown registered model, version, alias, stage, run or artifact.
 */
public class ModelNotFoundException extends MlflowKnativeException {

    public ModelNotFoundException(String message) {
        super(message);
    }
}
