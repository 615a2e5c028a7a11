package io.robustml.modelserver.fetch;

import io.robustml.modelserver.runtime.ModelServerConfig;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.eclipse.microprofile.config.Config;

/**
 * How remote models are fetched: the pod's environment (docs/model-server.md). The AWS variables are
 * the standard ones (AWS_ACCESS_KEY_ID, …), read by their config names (aws.access-key-id, …).
 */
public record FetchSettings(Path cacheDir, long maxBytes, Duration connectTimeout, Duration readTimeout,
        RetryPolicy retry, boolean allowHttp, Optional<String> bearerToken, Optional<SigV4.Credentials> aws,
        String region, Optional<String> s3Endpoint) {

    private static final Duration MAX_BACKOFF = Duration.ofSeconds(30);

    public static FetchSettings from(ModelServerConfig model, Config config) throws FetchException {
        Optional<String> keyId = value(config, "aws.access-key-id");
        Optional<String> secret = value(config, "aws.secret-access-key");
        if (keyId.isPresent() != secret.isPresent()) {
            throw new FetchException("AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY must be set together ("
                    + (keyId.isPresent() ? "the secret access key" : "the access key id") + " is missing)", false);
        }
        Optional<SigV4.Credentials> aws = keyId.map(id -> new SigV4.Credentials(id, secret.get(),
                value(config, "aws.session-token")));
        return new FetchSettings(Path.of(model.cacheDir()), model.maxBytes(), model.connectTimeout(),
                model.readTimeout(), new RetryPolicy(model.fetchAttempts(), model.fetchBackoff(), MAX_BACKOFF),
                model.allowHttp(), model.token().filter(t -> !t.isBlank()), aws,
                value(config, "aws.region").orElse("us-east-1"), value(config, "robustml.s3.endpoint"));
    }

    /** Every value that must never be shown, for a last redaction of any message. */
    public List<String> secrets() {
        List<String> out = new ArrayList<>();
        bearerToken.ifPresent(out::add);
        aws.ifPresent(c -> {
            out.add(c.secretAccessKey());
            c.sessionToken().ifPresent(out::add);
        });
        return out;
    }

    @Override
    public String toString() {
        return "FetchSettings[cacheDir=" + cacheDir + ", maxBytes=" + maxBytes + ", region=" + region
                + ", s3Endpoint=" + s3Endpoint.orElse("-") + ", token=" + (bearerToken.isPresent() ? "set" : "-")
                + ", aws=" + (aws.isPresent() ? "set" : "-") + "]";
    }

    private static Optional<String> value(Config config, String name) {
        return config.getOptionalValue(name, String.class).map(String::trim).filter(v -> !v.isEmpty());
    }
}
