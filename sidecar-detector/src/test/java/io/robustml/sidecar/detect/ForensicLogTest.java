package io.robustml.sidecar.detect;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The forensic log: bounded by size and age, API keys hashed, and a killed writer loses at most one record. */
class ForensicLogTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    private static List<String> lines(ForensicLog log) throws Exception {
        List<String> lines = new ArrayList<>();
        for (Path f : log.files()) {
            lines.addAll(Files.readAllLines(f));
        }
        return lines;
    }

    private static long bytes(ForensicLog log) throws Exception {
        long total = 0;
        for (Path f : log.files()) {
            total += Files.size(f);
        }
        return total;
    }

    @Test
    void staysWithinItsSizeKeepingTheNewestRecords(@TempDir Path dir) throws Exception {
        try (ForensicLog log = new ForensicLog(dir, 64 * 1024, Long.MAX_VALUE, false)) {
            String padding = "x".repeat(200);
            for (int i = 0; i < 2000; i++) {
                assertThat(log.append("{\"seq\":" + i + ",\"pad\":\"" + padding + "\"}", 1_000_000 + i)).isTrue();
            }
            assertThat(bytes(log)).isLessThanOrEqualTo(64 * 1024);
            List<String> lines = lines(log);
            assertThat(JSON.readTree(lines.get(lines.size() - 1)).path("seq").asInt()).isEqualTo(1999);
            assertThat(lines.size()).isGreaterThan(100);
            assertThat(log.deletedFiles()).isPositive();
        }
    }

    @Test
    void filesPastTheRetentionAreDeleted(@TempDir Path dir) throws Exception {
        try (ForensicLog log = new ForensicLog(dir, 10_000, 3_600_000, false)) { // files of ~1250 bytes, 1 h retention
            for (int i = 0; i < 30; i++) {
                log.append("{\"seq\":" + i + ",\"pad\":\"" + "y".repeat(100) + "\"}", 1000 + i);
            }
            int files = log.files().size();
            assertThat(files).isGreaterThan(1);
            log.prune(1000 + 3_600_000 - 1);
            assertThat(log.files()).as("nothing is older than an hour yet").hasSize(files);
            log.prune(1030 + 3_600_000 + 1);
            assertThat(log.files()).as("only the file being written is left").hasSize(1);
        }
    }

    @Test
    void apiKeysAreHashedAndAddressesKept() {
        String label = ForensicLog.clientLabel("key:super-secret");
        assertThat(label).startsWith("key-sha256:").doesNotContain("super-secret").hasSize(27);
        assertThat(ForensicLog.clientLabel("key:super-secret")).isEqualTo(label);
        assertThat(ForensicLog.clientLabel("key:other")).isNotEqualTo(label);
        assertThat(ForensicLog.clientLabel("addr:10.0.0.7")).isEqualTo("addr:10.0.0.7");
    }

    /** A writer in its own JVM, killed with SIGKILL while writing: every complete record survives, in order. */
    @Test
    void aKilledWriterLosesAtMostTheRecordBeingWritten(@TempDir Path dir) throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process writer = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"), Writer.class.getName(),
                dir.toString()).redirectErrorStream(true).redirectOutput(dir.resolveSibling(dir.getFileName() + ".out").toFile())
                .start();
        try {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (System.nanoTime() < deadline && count(dir) < 2000) {
                Thread.sleep(20);
            }
        } finally {
            writer.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
        List<String> lines = new ArrayList<>();
        try (var files = Files.list(dir)) {
            for (Path f : files.sorted().toList()) {
                lines.addAll(Files.readAllLines(f));
            }
        }
        assertThat(lines.size()).isGreaterThanOrEqualTo(2000);
        int broken = 0;
        for (int i = 0; i < lines.size(); i++) {
            try {
                assertThat(JSON.readTree(lines.get(i)).path("seq").asInt()).isEqualTo(i);
            } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
                broken++;
                assertThat(i).as("only the last line may be torn").isEqualTo(lines.size() - 1);
            }
        }
        System.out.printf("[forensic-log] writer killed after %d records, %d torn%n", lines.size(), broken);
    }

    private static long count(Path dir) throws Exception {
        long n = 0;
        try (var files = Files.list(dir)) {
            for (Path f : files.toList()) {
                n += Files.readAllLines(f).size();
            }
        }
        return n;
    }

    /** Writes numbered records until it is killed. */
    public static final class Writer {
        public static void main(String[] args) throws Exception {
            try (ForensicLog log = new ForensicLog(Path.of(args[0]), 1L << 30, Long.MAX_VALUE, false)) {
                for (int i = 0; ; i++) {
                    log.append("{\"seq\":" + i + ",\"input\":\"" + "z".repeat(500) + "\"}", System.currentTimeMillis());
                }
            }
        }
    }
}
