package io.robustml.tester.run;

import io.robustml.fetch.FetchSettings;
import io.robustml.fetch.Fetcher;
import io.robustml.fetch.RetryPolicy;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

/**
 * The run's files that live in a store (s3://, https://): the model white-box attacks differentiate, the
 * dataset, the corpus and the surrogate. Each is fetched into the tester's cache with the pod's credentials
 * (the RobustModel's credentials Secret, given to the tester as to the model server) and verified by SHA-256
 * before anything reads it. Local files (a path, file://, a mounted pvc://) are left to the readers, which
 * check them the same way.
 */
final class RemoteFiles {
    static final FetchSettings.Caller CALLER = new FetchSettings.Caller("robustml-adversarial-tester",
            "ROBUSTML_FETCH_CACHE_DIR", "ROBUSTML_FETCH_MAX_BYTES", "ROBUSTML_FETCH_ALLOW_HTTP");
    static final String DEFAULT_CACHE_DIR = "/tmp/fetch";
    static final long DEFAULT_MAX_BYTES = 16L << 30;

    private final Function<String, String> environment;
    private final PrintStream log;

    /** {@code environment} is the pod's (System::getenv), or a test's. */
    RemoteFiles(Function<String, String> environment, PrintStream log) {
        this.environment = environment;
        this.log = log;
    }

    static boolean remote(String uri) {
        return uri != null && (uri.regionMatches(true, 0, "s3://", 0, 5) || uri.regionMatches(true, 0, "https://", 0, 8)
                || uri.regionMatches(true, 0, "http://", 0, 7));
    }

    /** The assignment with every remote file it reads replaced by its verified local copy. */
    Assignment localize(Assignment a) throws IOException {
        boolean model = a.needsModelFile() && remote(a.modelUri());
        boolean corpus = a.corpus() != null && remote(a.corpus().uri());
        boolean surrogate = a.surrogate() != null && remote(a.surrogate().uri());
        if (!model && !remote(a.datasetUri()) && !corpus && !surrogate) {
            return a;
        }
        Fetcher fetcher = fetcher();
        return a.withFiles(
                model ? local(fetcher.fetch("model", a.modelUri(), a.modelSha256())) : a.modelUri(),
                remote(a.datasetUri()) ? local(dataset(fetcher, a.datasetUri(), a.datasetChecksums())) : a.datasetUri(),
                corpus ? new Assignment.CorpusRef(local(fetcher.fetch("corpus", a.corpus().uri(), a.corpus().sha256())),
                        a.corpus().sha256()) : a.corpus(),
                surrogate ? new Assignment.ModelRef(local(fetcher.fetch("surrogate model", a.surrogate().uri(),
                        a.surrogate().sha256())), a.surrogate().sha256()) : a.surrogate());
    }

    /**
     * A remote dataset is one file (.npz, .csv or .parquet) pinned by the datasetChecksums entry of its
     * name; the verified copy is linked under that name, since the readers go by the file's extension.
     */
    private Path dataset(Fetcher fetcher, String uri, Map<String, String> checksums) throws IOException {
        String name = fileName(uri);
        String sha256 = checksums.get(name);
        if (sha256 == null || checksums.size() != 1) {
            throw new IOException("dataset " + uri + " is fetched, so rollout.analysis.datasetChecksums must list its file "
                    + name + " (and only it) with its sha256; listed: " + String.join(", ", checksums.keySet()));
        }
        if (!name.matches(".*\\.(npz|csv|parquet)")) {
            throw new IOException("dataset " + uri + ": a fetched dataset is one .npz, .csv or .parquet file");
        }
        Path verified = fetcher.fetch("dataset", uri, sha256);
        Path named = verified.resolveSibling("named").resolve(sha256).resolve(name);
        Files.createDirectories(named.getParent());
        if (!Files.exists(named)) {
            Files.createSymbolicLink(named, verified);
        }
        return named;
    }

    /** The last segment of the URI's path, without a query (a pre-signed URL's signature). */
    static String fileName(String uri) {
        String path = uri.replaceFirst("[?#].*$", "");
        return path.substring(path.lastIndexOf('/') + 1);
    }

    private Fetcher fetcher() throws IOException {
        Function<String, Optional<String>> env = name -> Optional.ofNullable(environment.apply(name)).filter(v -> !v.isBlank());
        Path cache = Path.of(env.apply(CALLER.cacheDirSetting()).orElse(DEFAULT_CACHE_DIR));
        long maxBytes = env.apply(CALLER.maxBytesSetting()).map(Long::parseLong).orElse(DEFAULT_MAX_BYTES);
        boolean allowHttp = env.apply(CALLER.allowHttpSetting()).map(Boolean::parseBoolean).orElse(false);
        FetchSettings settings = FetchSettings.of(cache, maxBytes, Duration.ofSeconds(10), Duration.ofSeconds(60),
                new RetryPolicy(5, Duration.ofSeconds(1), FetchSettings.MAX_BACKOFF), allowHttp, CALLER,
                FetchSettings.environment(environment));
        return new Fetcher(settings, line -> log.println("[tester] " + line), Clock.systemUTC());
    }

    private static String local(Path file) {
        return file.toAbsolutePath().toUri().toString();
    }
}
