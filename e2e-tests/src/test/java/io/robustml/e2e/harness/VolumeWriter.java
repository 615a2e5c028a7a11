package io.robustml.e2e.harness;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Arrays;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * Writes a ConfigMap/Secret volume the way kubelet's AtomicWriter does, so a program that reloads its
 * configuration sees exactly what it would in a pod: the files live in a timestamped folder, {@code ..data}
 * is a symlink to it, and each key is a symlink through {@code ..data}; an update writes a new folder and
 * swaps {@code ..data} with one rename.
 */
final class VolumeWriter {
    private VolumeWriter() {
    }

    /** Writes the files unless they are already the current content; returns whether anything changed. */
    static boolean write(Path dir, Map<String, byte[]> files) {
        try {
            Files.createDirectories(dir);
            Path data = dir.resolve("..data");
            if (Files.exists(data) && sameContent(data, files)) {
                return false;
            }
            Path fresh = Files.createTempDirectory(dir, "..v" + System.nanoTime() + "_");
            for (var f : files.entrySet()) {
                Path target = fresh.resolve(f.getKey());
                Files.createDirectories(target.getParent());
                Files.write(target, f.getValue());
            }
            Path old = Files.isSymbolicLink(data) ? dir.resolve(Files.readSymbolicLink(data)) : null;
            Path tmpLink = dir.resolve("..data_tmp");
            Files.deleteIfExists(tmpLink);
            Files.createSymbolicLink(tmpLink, fresh.getFileName());
            Files.move(tmpLink, data, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            Set<String> top = files.keySet().stream().map(k -> k.split("/")[0]).collect(Collectors.toSet());
            for (String name : top) {
                Path link = dir.resolve(name);
                if (!Files.isSymbolicLink(link)) {
                    Files.createSymbolicLink(link, Path.of("..data").resolve(name));
                }
            }
            try (Stream<Path> entries = Files.list(dir)) {
                for (Path p : entries.toList()) {
                    String n = p.getFileName().toString();
                    if (!n.startsWith("..") && !top.contains(n)) {
                        Files.delete(p); // a key that went away
                    }
                }
            }
            if (old != null) {
                deleteTree(old);
            }
            return true;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static boolean sameContent(Path data, Map<String, byte[]> files) throws IOException {
        try (Stream<Path> walk = Files.walk(data.toRealPath())) {
            long count = walk.filter(Files::isRegularFile).count();
            if (count != files.size()) {
                return false;
            }
        }
        for (var f : files.entrySet()) {
            Path p = data.resolve(f.getKey());
            if (!Files.isRegularFile(p) || !Arrays.equals(Files.readAllBytes(p), f.getValue())) {
                return false;
            }
        }
        return true;
    }

    static void deleteTree(Path root) {
        if (!Files.exists(root, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(root)) {
            walk.sorted((a, b) -> b.getNameCount() - a.getNameCount()).forEach(p -> {
                try {
                    Files.deleteIfExists(p);
                } catch (IOException ignored) {
                    // best effort
                }
            });
        } catch (IOException ignored) {
            // best effort
        }
    }
}
