package dev.mlflowknative.camel.springboot;

import java.util.LinkedHashMap;
import java.util.Map;

import dev.mlflowknative.camel.MlflowKnativeComponent;
import dev.mlflowknative.camel.MlflowKnativeComponentConfigurer;
import org.apache.camel.spi.ComponentCustomizer;
import org.apache.camel.support.PropertyBindingSupport;
import org.apache.camel.util.StringHelper;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.context.properties.bind.Bindable;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.context.annotation.Bean;
import org.springframework.core.env.Environment;

/**
 * Applies {@code camel.component.mlflow-knative.*} of the Spring environment (application.yaml, environment variables
 * in Spring's form such as {@code CAMEL_COMPONENT_MLFLOWKNATIVE_IMAGETAG}, command line) to the component, as Camel's
 * own starters do: camel-spring-boot configures no component without one. The options are bound by the component's
 * generated configurer, so an unknown option fails the start instead of being ignored; the IDE metadata
 * (additional-spring-configuration-metadata.json) is made from the component's catalog.
 */
@AutoConfiguration
public class MlflowKnativeComponentAutoConfiguration {

    static final String PREFIX = "camel.component.mlflow-knative";

    @Bean
    ComponentCustomizer mlflowKnativeComponentCustomizer(Environment environment) {
        Map<String, Object> options = Binder.get(environment)
                .bind(PREFIX, Bindable.mapOf(String.class, Object.class)).orElseGet(Map::of);
        return ComponentCustomizer.forType(MlflowKnativeComponent.class, component -> {
            Map<String, Object> properties = new LinkedHashMap<>();
            options.forEach((name, value) -> properties.put(StringHelper.dashToCamelCase(name), value));
            PropertyBindingSupport.build().withCamelContext(component.getCamelContext()).withTarget(component)
                    .withConfigurer(new MlflowKnativeComponentConfigurer()).withProperties(properties)
                    .withIgnoreCase(true).withReference(true).withMandatory(true).bind();
        });
    }
}
