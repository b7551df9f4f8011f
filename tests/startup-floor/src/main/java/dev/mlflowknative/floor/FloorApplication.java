package dev.mlflowknative.floor;

import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.main.Main;

/**
 * The least a camel-main application with an HTTP health endpoint does: platform-http (Vert.x) and one route that
 * answers GET /observe/health/ready with {"status":"UP"}, as the runner's readiness path. StartupBenchmark starts it
 * beside the runner, the same way, to measure how far above this floor the runner starts.
 */
public final class FloorApplication {

    private FloorApplication() {
    }

    public static void main(String[] args) throws Exception {
        Main main = new Main();
        // not application.properties: this jar is on the tests' classpath beside the runner, whose file that is
        main.setDefaultPropertyPlaceholderLocation("classpath:startup-floor.properties");
        main.configure().addRoutesBuilder(new RouteBuilder() {
            @Override
            public void configure() {
                from("platform-http:/observe/health/ready?httpMethodRestrict=GET")
                        .setHeader("Content-Type", constant("application/json"))
                        .setBody(constant("{\"status\":\"UP\"}"));
            }
        });
        System.exit(main.run(args));
    }
}
