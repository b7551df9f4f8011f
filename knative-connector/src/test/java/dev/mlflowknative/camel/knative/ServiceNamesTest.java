package dev.mlflowknative.camel.knative;

import dev.mlflowknative.camel.InvalidRequestException;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ServiceNamesTest {

    @Test
    void acceptsDns1123Labels() {
        assertThat(ServiceNames.requireServiceName("churn-v2")).isEqualTo("churn-v2");
        assertThat(ServiceNames.requireServiceName("a".repeat(63))).hasSize(63);
        assertThat(ServiceNames.requireNamespace("0ml")).isEqualTo("0ml");
    }

    @Test
    void messagesShowControlAndInvisibleCharactersEscaped() {
        assertThatThrownBy(() -> ServiceNames.requireServiceName("churn\u202e\n"))
                .isInstanceOf(InvalidRequestException.class)
                .hasMessageStartingWith("Invalid service name 'churn\\u202e\\u000a'");
        assertThatThrownBy(() -> ServiceNames.requireServiceName("x".repeat(500)))
                .hasMessageContaining("500 characters, at most 63 allowed")
                .hasMessageContaining("…");
    }
}
