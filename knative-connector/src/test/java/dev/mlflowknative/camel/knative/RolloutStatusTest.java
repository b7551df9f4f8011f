package dev.mlflowknative.camel.knative;

import io.fabric8.knative.serving.v1.Service;
import io.fabric8.knative.serving.v1.ServiceBuilder;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class RolloutStatusTest {

    private static Service service(long generation, Long observed, String ready) {
        ServiceBuilder builder = new ServiceBuilder().withNewMetadata().withName("s").withGeneration(generation)
                .endMetadata();
        if (observed != null) {
            builder.withNewStatus().withObservedGeneration(observed)
                    .addNewCondition().withType("Ready").withStatus(ready).withReason("RevisionFailed")
                    .withMessage("boom").endCondition()
                    .endStatus();
        }
        return builder.build();
    }

    @Test
    void readyOnlyCountsForTheObservedGeneration() {
        assertThat(RolloutStatus.of(service(2, 2L, "True")).state()).isEqualTo(RolloutStatus.State.READY);
        assertThat(RolloutStatus.of(service(3, 2L, "True")).state()).isEqualTo(RolloutStatus.State.PROGRESSING);
        assertThat(RolloutStatus.of(service(3, 2L, "False")).state()).isEqualTo(RolloutStatus.State.PROGRESSING);
        assertThat(RolloutStatus.of(service(1, null, null)).state()).isEqualTo(RolloutStatus.State.PROGRESSING);
    }

    @Test
    void failureCarriesReasonAndMessage() {
        RolloutStatus status = RolloutStatus.of(service(2, 2L, "False"));
        assertThat(status.state()).isEqualTo(RolloutStatus.State.FAILED);
        assertThat(status.describe()).isEqualTo("Ready=False RevisionFailed: boom");
        assertThat(RolloutStatus.of(service(2, 2L, "Unknown")).state()).isEqualTo(RolloutStatus.State.PROGRESSING);
    }
}
