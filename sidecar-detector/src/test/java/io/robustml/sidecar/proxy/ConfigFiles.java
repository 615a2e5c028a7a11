package io.robustml.sidecar.proxy;

import io.robustml.sidecar.config.Clients;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Map;

/**
 * A detector.json (and clients file) laid out as the kubelet lays out a ConfigMap volume:
 * {@code detector.json -> ..data/detector.json}, {@code ..data -> ..<version>}; an update writes a new
 * version folder and swaps the {@code ..data} link atomically, as the kubelet does.
 */
final class ConfigFiles {
    private final Path dir;
    private int version;

    ConfigFiles(Path dir) {
        this.dir = dir.toAbsolutePath();
    }

    /** The path the sidecar reads. */
    Path detectorJson() {
        return dir.resolve("detector.json");
    }

    Path clientsJson() {
        return dir.resolve("clients.json");
    }

    /** Writes both files as one new version (clients null: no clients file). */
    ConfigFiles write(String detectorJson, String clientsJson) {
        try {
            Files.createDirectories(dir);
            Path v = dir.resolve("..v" + (++version) + "-" + System.nanoTime());
            Files.createDirectories(v);
            Files.writeString(v.resolve("detector.json"), detectorJson);
            if (clientsJson != null) {
                Files.writeString(v.resolve("clients.json"), clientsJson);
            }
            Path tmp = dir.resolve("..data_tmp");
            Files.deleteIfExists(tmp);
            Files.createSymbolicLink(tmp, v.getFileName());
            Files.move(tmp, dir.resolve("..data"), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            for (String f : new String[] {"detector.json", "clients.json"}) {
                if (!Files.isSymbolicLink(dir.resolve(f))) {
                    Files.deleteIfExists(dir.resolve(f));
                    Files.createSymbolicLink(dir.resolve(f), Path.of("..data", f));
                }
            }
            return this;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A clients file naming each client (name → raw key) by the sha256 of its key, with optional extra fields. */
    static String clients(Map<String, String> keysByName, Map<String, String> extraFieldsByName) {
        StringBuilder sb = new StringBuilder("{\"clients\":[");
        boolean first = true;
        for (var e : keysByName.entrySet()) {
            sb.append(first ? "" : ",").append("{\"name\":\"").append(e.getKey()).append("\",\"sha256\":\"")
                    .append(Clients.sha256Hex(e.getValue())).append('"');
            String extra = extraFieldsByName.get(e.getKey());
            if (extra != null) {
                sb.append(',').append(extra);
            }
            sb.append('}');
            first = false;
        }
        return sb.append("]}").toString();
    }

    static void clean(Path dir) {
        try {
            if (Files.exists(dir)) {
                try (var walk = Files.walk(dir)) {
                    walk.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
