package io.robustml.modelserver.fetch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.robustml.fetch.FetchException;
import io.robustml.fetch.FetchSettings;
import io.robustml.fetch.Fetcher;
import io.robustml.fetch.RetryPolicy;
import io.robustml.fetch.Sha256;
import io.robustml.fetch.SigV4;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.junit.jupiter.api.io.TempDir;

/**
 * Opt-in ({@code -Drobustml.moto=true}): the fetcher against moto's S3 server, a third-party S3
 * implementation that recomputes SigV4 signatures with botocore and enforces an IAM policy
 * (src/test/python/moto_s3_store.py). Needs the venv from docs/model-server.md
 * ({@code ~/.cache/robustml/moto-venv}, or {@code $ROBUSTML_MOTO_VENV}); fails, not skips, without it.
 */
@EnabledIfSystemProperty(named = "robustml.moto", matches = "true")
class MotoS3FetchTest {
    @TempDir
    Path cache;

    @Test
    void fetchesFromMotoWithItsSignatureCheckAndIsRefusedWithAWrongSecret() throws Exception {
        String venv = Optional.ofNullable(System.getenv("ROBUSTML_MOTO_VENV"))
                .orElse(System.getProperty("user.home") + "/.cache/robustml/moto-venv");
        Path model = Path.of("models/fashion-standard.pt");
        Process moto = new ProcessBuilder(venv + "/bin/python", "src/test/python/moto_s3_store.py", model.toString())
                .redirectError(ProcessBuilder.Redirect.DISCARD).start();
        try {
            BufferedReader out = new BufferedReader(new InputStreamReader(moto.getInputStream(), StandardCharsets.UTF_8));
            String line = out.readLine();
            assertThat(line).as("moto_s3_store.py printed nothing; is the venv at " + venv + "?").isNotNull();
            JsonNode store = new ObjectMapper().readTree(line);
            String sha = Sha256.of(model);
            SigV4.Credentials keys = new SigV4.Credentials(store.get("accessKeyId").asText(),
                    store.get("secretAccessKey").asText(), Optional.empty());

            Path file = fetcher(store, keys).fetch("model", "s3://models/fashion/v1/model.pt", sha);
            assertThat(Files.readAllBytes(file)).isEqualTo(Files.readAllBytes(model));

            SigV4.Credentials wrong = new SigV4.Credentials(keys.accessKeyId(), keys.secretAccessKey() + "x",
                    Optional.empty());
            Files.delete(file);
            assertThatThrownBy(() -> fetcher(store, wrong).fetch("model", "s3://models/fashion/v1/model.pt", sha))
                    .isInstanceOf(FetchException.class)
                    .hasMessageContaining("answered 403 (SignatureDoesNotMatch)")
                    .satisfies(e -> assertThat(e.getMessage()).doesNotContain(wrong.secretAccessKey()));
            // The policy allows s3:GetObject on models/* only: a correctly signed read elsewhere is refused.
            assertThatThrownBy(() -> fetcher(store, keys).fetch("model", "s3://other/model.pt", sha))
                    .hasMessageContaining("answered 403");
        } finally {
            moto.getOutputStream().close();
            if (!moto.waitFor(10, TimeUnit.SECONDS)) {
                moto.destroyForcibly();
            }
        }
    }

    private Fetcher fetcher(JsonNode store, SigV4.Credentials keys) {
        FetchSettings settings = new FetchSettings(cache, 1L << 30, Duration.ofSeconds(5), Duration.ofSeconds(30),
                new RetryPolicy(2, Duration.ofMillis(10), Duration.ofMillis(10)), false, Optional.empty(),
                Optional.of(keys), "us-east-1", Optional.of(store.get("endpoint").asText()),
                new FetchSettings.Caller("robustml-model-server", "cache", "maxBytes", "allowHttp"));
        return new Fetcher(settings, line -> { }, Clock.systemUTC());
    }
}
