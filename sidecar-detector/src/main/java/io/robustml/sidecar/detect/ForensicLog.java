package io.robustml.sidecar.detect;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.stream.Stream;

/**
 * Flagged inputs as JSON lines in a directory (a volume), bounded by size and age. Each record is one
 * {@code write} of a complete line to a file opened for append, with no buffer in between, so a crash of
 * the sidecar loses at most the record being written (with {@code fsync}, a crash of the machine too).
 * Files are {@code flagged-<epoch millis>.jsonl}, a new one each time the current one passes
 * {@code maxBytes / 8}; the oldest files are deleted while the directory holds more than {@code maxBytes}
 * or they are older than the retention. API keys never reach the log: see {@link #clientLabel}.
 */
public final class ForensicLog implements AutoCloseable {
    private static final String PREFIX = "flagged-";
    private static final String SUFFIX = ".jsonl";

    private final Path dir;
    private final long maxBytes;
    private final long fileBytes;
    private volatile long retentionMillis;
    private final boolean fsync;
    private FileChannel current;
    private Path currentPath;
    private long currentSize;
    private long records;
    private long failures;
    private long deletedFiles;

    public ForensicLog(Path dir, long maxBytes, long retentionMillis, boolean fsync) throws IOException {
        if (maxBytes < 1024) {
            throw new IllegalArgumentException("forensic log maxBytes must be at least 1024, got " + maxBytes);
        }
        this.dir = Files.createDirectories(dir);
        this.maxBytes = maxBytes;
        this.fileBytes = Math.max(512, maxBytes / 8);
        this.retentionMillis = retentionMillis;
        this.fsync = fsync;
    }

    /**
     * How a client appears in the log: an API key as {@code key-sha256:<first 16 hex digits>} (enough to
     * match the key's owner in the gateway, useless to replay it), an address as it is.
     */
    /** A new retention from a reloaded config (applied at the next prune). */
    public void retentionMillis(long millis) {
        this.retentionMillis = millis;
    }

    public static String clientLabel(String clientIdentity) {
        if (clientIdentity.startsWith("key:")) {
            try {
                byte[] digest = MessageDigest.getInstance("SHA-256")
                        .digest(clientIdentity.substring(4).getBytes(StandardCharsets.UTF_8));
                return "key-sha256:" + HexFormat.of().formatHex(digest, 0, 8);
            } catch (NoSuchAlgorithmException e) {
                throw new IllegalStateException(e);
            }
        }
        return clientIdentity;
    }

    /** Appends one record (a JSON object without line breaks); false when it could not be written. */
    public synchronized boolean append(String jsonLine, long nowMillis) {
        byte[] bytes = (jsonLine + "\n").getBytes(StandardCharsets.UTF_8);
        try {
            if (current == null || currentSize + bytes.length > fileBytes) {
                roll(nowMillis);
            }
            ByteBuffer buffer = ByteBuffer.wrap(bytes);
            while (buffer.hasRemaining()) {
                current.write(buffer);
            }
            if (fsync) {
                current.force(false);
            }
            currentSize += bytes.length;
            records++;
            return true;
        } catch (IOException e) {
            failures++;
            return false;
        }
    }

    private void roll(long nowMillis) throws IOException {
        if (current != null) {
            current.close();
        }
        Path next = dir.resolve(PREFIX + nowMillis + SUFFIX);
        for (long t = nowMillis + 1; Files.exists(next); t++) {
            next = dir.resolve(PREFIX + t + SUFFIX);
        }
        current = FileChannel.open(next, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE, StandardOpenOption.APPEND);
        currentPath = next;
        currentSize = 0;
        prune(nowMillis);
    }

    /** Deletes the oldest files while the directory holds more than maxBytes, and files past the retention. */
    public synchronized void prune(long nowMillis) throws IOException {
        List<Path> files = files();
        long total = 0;
        for (Path f : files) {
            total += Files.size(f);
        }
        total += fileBytes; // room for the file being written
        for (Path f : files) {
            if (f.equals(currentPath)) {
                continue;
            }
            boolean expired = nowMillis - startedAt(f) > retentionMillis;
            if (total > maxBytes || expired) {
                total -= Files.size(f);
                Files.deleteIfExists(f);
                deletedFiles++;
            }
        }
    }

    /** The log's files, oldest first. */
    public List<Path> files() throws IOException {
        List<Path> files = new ArrayList<>();
        try (Stream<Path> s = Files.list(dir)) {
            s.filter(p -> p.getFileName().toString().startsWith(PREFIX) && p.getFileName().toString().endsWith(SUFFIX))
                    .forEach(files::add);
        }
        files.sort((a, b) -> Long.compare(startedAt(a), startedAt(b)));
        return files;
    }

    private static long startedAt(Path file) {
        String name = file.getFileName().toString();
        try {
            return Long.parseLong(name.substring(PREFIX.length(), name.length() - SUFFIX.length()));
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    public synchronized long records() {
        return records;
    }

    public synchronized long failures() {
        return failures;
    }

    public synchronized long deletedFiles() {
        return deletedFiles;
    }

    @Override
    public synchronized void close() throws IOException {
        if (current != null) {
            current.close();
            current = null;
        }
    }
}
