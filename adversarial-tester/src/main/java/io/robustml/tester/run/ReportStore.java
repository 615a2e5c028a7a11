package io.robustml.tester.run;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.robustml.crds.run.AdversarialTestRunStatus;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.util.Base64;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.zip.GZIPOutputStream;

/**
 * Keeps the full JSON report in the run's {@code <run>-report} ConfigMap, which the operator made with
 * the run (the tester's Role names that one object; it cannot create any). The run's status holds the
 * figures the verdict needs; the report holds everything else and must outlive the Job's pod. A
 * ConfigMap holds at most 1 MiB: a larger report is stored gzipped as binaryData.
 */
final class ReportStore {
    static final String KEY = "report.json";
    static final String GZIP_KEY = "report.json.gz";
    /** Leaves room under the API server's 1 MiB object limit for metadata. */
    static final int MAX_BYTES = 900 * 1024;

    private ReportStore() {
    }

    static String configMapName(String run) {
        return run + "-report";
    }

    static byte[] json(EvaluationReport report) {
        try {
            return new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsBytes(report);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The ConfigMap entry for a report: key, and text (data) or gzip bytes (binaryData); empty when too large even gzipped. */
    record Entry(String key, String text, byte[] gzip) {
    }

    static Optional<Entry> encode(byte[] json) {
        if (json.length <= MAX_BYTES) {
            return Optional.of(new Entry(KEY, new String(json, java.nio.charset.StandardCharsets.UTF_8), null));
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
            gz.write(json);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        // binaryData is base64 on the wire: 4/3 of the gzip bytes must fit.
        return out.size() * 4 / 3 + 4 <= MAX_BYTES ? Optional.of(new Entry(GZIP_KEY, null, out.toByteArray())) : Optional.empty();
    }

    /**
     * Writes the report into the run's ConfigMap and returns the status reference to it; empty (with the
     * reason logged) when there is no such ConfigMap (a run not made by the operator), the tester may not
     * write it, or the report is too large. The measured figures are in the status either way.
     */
    static Optional<AdversarialTestRunStatus.ReportRef> store(KubernetesClient client, String namespace, String run,
            EvaluationReport report, PrintStream log) {
        byte[] json = json(report);
        Optional<Entry> entry = encode(json);
        String name = configMapName(run);
        if (entry.isEmpty()) {
            log.printf("[tester] report of %d bytes is too large for ConfigMap %s even gzipped; it stays in the pod only%n",
                    json.length, name);
            return Optional.empty();
        }
        try {
            client.configMaps().inNamespace(namespace).withName(name).edit(cm -> {
                Map<String, String> data = new HashMap<>();
                Map<String, String> binary = new HashMap<>();
                if (entry.get().text() != null) {
                    data.put(entry.get().key(), entry.get().text());
                } else {
                    binary.put(entry.get().key(), Base64.getEncoder().encodeToString(entry.get().gzip()));
                }
                cm.setData(data.isEmpty() ? null : data);
                cm.setBinaryData(binary.isEmpty() ? null : binary);
                return cm;
            });
        } catch (KubernetesClientException e) {
            if (e.getCode() == 404) {
                log.printf("[tester] no ConfigMap %s/%s (made by the operator with the run): the report stays in the pod only%n",
                        namespace, name);
            } else {
                log.printf("[tester] could not write the report into ConfigMap %s/%s (%d): %s%n", namespace, name, e.getCode(),
                        e.getMessage());
            }
            return Optional.empty();
        }
        AdversarialTestRunStatus.ReportRef ref = new AdversarialTestRunStatus.ReportRef();
        ref.configMap = name;
        ref.key = entry.get().key();
        ref.sha256 = io.robustml.fetch.Sha256.of(json);
        ref.bytes = (long) json.length;
        return Optional.of(ref);
    }
}
