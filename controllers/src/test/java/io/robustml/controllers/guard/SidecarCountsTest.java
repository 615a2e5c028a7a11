package io.robustml.controllers.guard;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.prometheus.PrometheusConfig;
import io.micrometer.prometheus.PrometheusMeterRegistry;
import org.junit.jupiter.api.Test;

class SidecarCountsTest {

    /** The exposition Micrometer's Prometheus registry writes, as the sidecar's /metrics does. */
    @Test
    void readsTheClientOutcomesAndLeavesTheAnalysisOut() {
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        registry.counter("robustml_sidecar_requests_total", "outcome", "ok").increment(90);
        registry.counter("robustml_sidecar_requests_total", "outcome", "flagged").increment(6);
        registry.counter("robustml_sidecar_requests_total", "outcome", "blocked").increment(2);
        registry.counter("robustml_sidecar_requests_total", "outcome", "rate_limited").increment(1);
        registry.counter("robustml_sidecar_requests_total", "outcome", "client_error").increment(1);
        registry.counter("robustml_sidecar_analysis_requests_total", "outcome", "flagged").increment(500);
        registry.counter("robustml_sidecar_flags_total", "detector", "querySimilarity").increment(6);

        assertThat(SidecarCounts.parse(registry.scrape())).isEqualTo(new SidecarCounts(9, 100));
    }

    @Test
    void aPageWithoutTheCounterIsZeroAndBadValuesAreSkipped() {
        assertThat(SidecarCounts.parse("# HELP x\nx 1\n")).isEqualTo(SidecarCounts.ZERO);
        assertThat(SidecarCounts.parse("robustml_sidecar_requests_total{outcome=\"ok\"} NaNx\n"
                + "robustml_sidecar_requests_total{outcome=\"flagged\"} 3\n")).isEqualTo(new SidecarCounts(3, 3));
    }

    @Test
    void aSmallerValueIsAReset() {
        assertThat(new SidecarCounts(5, 50).since(new SidecarCounts(2, 20))).isEqualTo(new SidecarCounts(3, 30));
        assertThat(new SidecarCounts(1, 4).since(new SidecarCounts(2, 20))).isEqualTo(new SidecarCounts(1, 4));
        assertThat(SidecarCounts.ZERO.rate()).isZero();
    }
}
