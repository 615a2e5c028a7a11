package io.robustml.crds.model;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;
import io.robustml.oip.BatchingDefaults;
import java.util.List;

/**
 * Dynamic batching of the djl model server (Triton's dynamic batcher): requests waiting for the model
 * share one forward pass. Unset fields keep the model server's defaults (docs/model-server.md).
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(value = "!has(self.preferredBatchSizes) || self.preferredBatchSizes.all(p, p <= "
        + "(has(self.maxBatchSize) ? self.maxBatchSize : " + BatchingDefaults.MAX_BATCH_SIZE + "))",
        message = "every preferred batch size must be at most maxBatchSize (default " + BatchingDefaults.MAX_BATCH_SIZE + ")",
        fieldPath = ".preferredBatchSizes")
public class BatchingSpec {
    @JsonPropertyDescription("Merge requests that wait for the model into one forward pass (the model server's default: true).")
    public Boolean enabled;

    @Min(1)
    @Max(4096)
    @JsonPropertyDescription("Most rows in one merged forward pass; a request with more rows runs alone (default "
            + BatchingDefaults.MAX_BATCH_SIZE + ").")
    public Integer maxBatchSize;

    @Size(max = 16)
    @JsonPropertyDescription("Batch sizes sent at once when the waiting requests add up to one (Triton's preferred_batch_size); "
            + "unset: as large as the queue allows. Distinct values, each at most maxBatchSize.")
    @ValidationRule(value = "self.all(p, p >= 1)", message = "preferred batch sizes are at least 1")
    @ValidationRule(value = "self.all(p, self.filter(q, q == p).size() == 1)", message = "preferred batch sizes must be distinct")
    public List<Integer> preferredBatchSizes;

    @Min(0)
    @Max(1000000)
    @JsonPropertyDescription("How long, in microseconds, the oldest waiting request may wait for others while no preferred "
            + "size is reached (Triton's max_queue_delay_microseconds; default 0: never, so a lone client is never delayed; "
            + "requests still merge whenever they queue behind a busy model).")
    public Long maxQueueDelayMicroseconds;
}
