package dev.mlflowknative.tests.runner;

import java.io.InputStream;
import java.util.Arrays;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;

import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.spi.Resource;
import org.apache.camel.support.PluginHelper;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The runner names its route files one by one (a wildcard makes Camel scan every entry of the fat jar at start-up):
 * the list must hold every route file of the routes artifact, so that a new route is not silently left out.
 */
class RouteFilesTest {

    @Test
    void theRunnerLoadsEveryRouteFileOfTheRoutesArtifact() throws Exception {
        Properties properties = new Properties();
        try (InputStream in = getClass().getClassLoader().getResourceAsStream("application.properties")) {
            properties.load(in);
        }
        Set<String> listed = new TreeSet<>(Arrays.stream(
                properties.getProperty("camel.main.routes-include-pattern").split(",")).map(String::trim).toList());

        Set<String> present = new TreeSet<>();
        try (DefaultCamelContext context = new DefaultCamelContext()) {
            for (Resource resource : PluginHelper.getPackageScanResourceResolver(context)
                    .findResources("classpath:routes/*.camel.yaml")) {
                present.add("classpath:routes/" + resource.getLocation().replaceAll(".*/", ""));
            }
        }
        assertThat(present).hasSizeGreaterThan(5);
        assertThat(listed).isEqualTo(present);
    }
}
