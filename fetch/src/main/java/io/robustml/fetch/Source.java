package io.robustml.fetch;

import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Where a file lives: a local file (file:// or a plain path), an https:// URL, or an s3://bucket/key
 * object. {@link #display()} is what logs and errors may show: never credentials.
 */
public sealed interface Source {
    /** A file the pod already has (a mounted volume). */
    record Local(Path path) implements Source {
        @Override
        public String display() {
            return path.toString();
        }
    }

    /** An https:// URL (http:// only when allowed); the query may be a pre-signed URL's signature. */
    record Http(URI url) implements Source {
        @Override
        public String display() {
            return Redact.url(url);
        }
    }

    /** An S3 object; the key is the raw object key (not percent-encoded). */
    record S3(String bucket, String key) implements Source {
        @Override
        public String display() {
            return "s3://" + bucket + "/" + key;
        }

        /**
         * Path-style under an explicit endpoint (MinIO and other S3-compatible stores), otherwise AWS's
         * virtual-hosted style. A bucket with dots breaks the virtual-hosted TLS certificate: such
         * buckets need the endpoint https://s3.REGION.amazonaws.com.
         */
        public URI url(Optional<String> endpoint, String region) {
            String key = SigV4.uriEncode(this.key, true);
            if (endpoint.isPresent()) {
                String base = endpoint.get().replaceAll("/+$", "");
                return URI.create(base + "/" + SigV4.uriEncode(bucket, false) + "/" + key);
            }
            return URI.create("https://" + bucket + ".s3." + region + ".amazonaws.com/" + key);
        }
    }

    String display();

    static boolean isRemote(String uri) {
        return uri.contains("://") && !uri.startsWith("file:");
    }

    /**
     * Parses the URI; an unsupported scheme, credentials inside the URI, or plain http:// without
     * {@code allowHttp} is an {@link IllegalArgumentException} that names the URI without credentials.
     * {@code what} names the file's role in messages ("model", "dataset").
     */
    static Source parse(String what, String uri, boolean allowHttp, String allowHttpSetting) {
        if (uri.startsWith("file:")) {
            return new Local(Path.of(URI.create(uri)));
        }
        if (!uri.contains("://")) {
            return new Local(Path.of(uri));
        }
        if (uri.regionMatches(true, 0, "s3://", 0, 5)) {
            // Not java.net.URI: an S3 key is raw (spaces and all), as the AWS CLI takes it.
            String rest = uri.substring(5);
            int slash = rest.indexOf('/');
            if (slash <= 0 || slash == rest.length() - 1 || rest.substring(0, slash).contains("@")) {
                throw new IllegalArgumentException(what + " URI " + Redact.text(uri) + " must be s3://bucket/key");
            }
            return new S3(rest.substring(0, slash), rest.substring(slash + 1));
        }
        URI parsed;
        try {
            parsed = new URI(uri);
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException(what + " URI is not a valid URI: " + Redact.text(uri));
        }
        String scheme = parsed.getScheme() == null ? "" : parsed.getScheme().toLowerCase(java.util.Locale.ROOT);
        if (parsed.getRawUserInfo() != null) {
            throw new IllegalArgumentException(what + " URI " + Redact.url(parsed) + " carries credentials; put them in"
                    + " the RobustModel's credentials Secret instead");
        }
        return switch (scheme) {
            case "https" -> new Http(requireHost(what, parsed));
            case "http" -> {
                if (!allowHttp) {
                    throw new IllegalArgumentException(what + " URI " + Redact.url(parsed) + " is plain http: the "
                            + what + " and any token would travel unencrypted; use https, or set " + allowHttpSetting + "=true");
                }
                yield new Http(requireHost(what, parsed));
            }
            default -> throw new IllegalArgumentException(what + " URI scheme '" + scheme + "' is not read here "
                    + "(file://, https:// or s3://; pvc:// volumes are mounted by the pod and read as files)");
        };
    }

    private static URI requireHost(String what, URI url) {
        if (url.getHost() == null) {
            throw new IllegalArgumentException(what + " URI " + Redact.url(url) + " has no host");
        }
        return url;
    }
}
