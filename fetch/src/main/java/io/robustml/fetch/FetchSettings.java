package io.robustml.fetch;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;

/**
 * How remote files are fetched. The credentials are the pod's environment, put there from the
 * RobustModel's credentials Secret: the standard AWS variables, read by their config names
 * (aws.access-key-id for AWS_ACCESS_KEY_ID, …), a bearer token and an S3-compatible endpoint.
 * {@code caller} says which program fetches, for the User-Agent and the settings errors name.
 */
public record FetchSettings(Path cacheDir, long maxBytes, Duration connectTimeout, Duration readTimeout,
        RetryPolicy retry, boolean allowHttp, Optional<String> bearerToken, Optional<SigV4.Credentials> aws,
        String region, Optional<String> s3Endpoint, Caller caller) {

    public static final Duration MAX_BACKOFF = Duration.ofSeconds(30);

    /** The program that fetches, and the names of its settings that messages point at. */
    public record Caller(String userAgent, String cacheDirSetting, String maxBytesSetting, String allowHttpSetting) {
    }

    /**
     * The credentials from {@code config} (a lookup by config name: aws.access-key-id,
     * aws.secret-access-key, aws.session-token, aws.region, robustml.s3.endpoint, robustml.model.token),
     * the rest as given. Blank values count as absent.
     */
    public static FetchSettings of(Path cacheDir, long maxBytes, Duration connectTimeout, Duration readTimeout,
            RetryPolicy retry, boolean allowHttp, Caller caller, Function<String, Optional<String>> config)
            throws FetchException {
        Function<String, Optional<String>> value = name -> config.apply(name).map(String::trim).filter(v -> !v.isEmpty());
        Optional<String> keyId = value.apply("aws.access-key-id");
        Optional<String> secret = value.apply("aws.secret-access-key");
        if (keyId.isPresent() != secret.isPresent()) {
            throw new FetchException("AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY must be set together ("
                    + (keyId.isPresent() ? "the secret access key" : "the access key id") + " is missing)", false);
        }
        Optional<SigV4.Credentials> aws = keyId.map(id -> new SigV4.Credentials(id, secret.get(),
                value.apply("aws.session-token")));
        return new FetchSettings(cacheDir, maxBytes, connectTimeout, readTimeout, retry, allowHttp,
                value.apply("robustml.model.token"), aws, value.apply("aws.region").orElse("us-east-1"),
                value.apply("robustml.s3.endpoint"), caller);
    }

    /** A config lookup over environment variables: aws.access-key-id reads AWS_ACCESS_KEY_ID. */
    public static Function<String, Optional<String>> environment(Function<String, String> getenv) {
        return name -> Optional.ofNullable(getenv.apply(name.toUpperCase(java.util.Locale.ROOT).replaceAll("[^A-Z0-9]", "_")));
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
}
