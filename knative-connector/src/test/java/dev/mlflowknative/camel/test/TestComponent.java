package dev.mlflowknative.camel.test;

import dev.mlflowknative.camel.MlflowKnativeComponent;

/**
 * The component as tests bind it: prebuilt images of made-up registries are taken as named (allowedImages=*; pinning
 * them would ask a registry off this machine), and local models are read from the temporary directory, where JUnit
 * puts its @TempDir directories. Tests of those two policies configure their own.
 */
public final class TestComponent {

    private TestComponent() {
    }

    public static MlflowKnativeComponent relaxed() {
        MlflowKnativeComponent component = new MlflowKnativeComponent();
        component.getConfiguration().setAllowedImages("*");
        component.getConfiguration().setModelRoots(System.getProperty("java.io.tmpdir"));
        return component;
    }
}
