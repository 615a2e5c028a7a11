package io.robustml.tester.run;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Turns the sidecar's forensic log (flagged inputs, {@code flagged-*.jsonl}) into a regression corpus.
 * The log has <b>no ground truth</b>: it records what was sent and why it was flagged, not what the
 * input really is, so the true class comes from the command line — one class for every record
 * ({@code --label N}, e.g. an incident where every probe was a picture of a bag) or a labels file with
 * one {@code <requestId>:<row> <class>} per line (records without a line there are left out and counted).
 *
 * <pre>
 * java -cp 'adversarial-tester/target/adversarial-tester.jar:adversarial-tester/target/lib/*' \
 *   io.robustml.tester.run.ForensicToCorpus --log /var/log/robustml/forensic (--label N | --labels FILE) --out corpus.jsonl
 * </pre>
 * It prints the corpus's sha256 for {@code spec.corpus.sha256}.
 */
public final class ForensicToCorpus {
    private ForensicToCorpus() {
    }

    public static void main(String[] args) {
        System.exit(run(args, System.out, System.err));
    }

    static int run(String[] args, PrintStream out, PrintStream err) {
        String log = null;
        String labelsFile = null;
        Integer label = null;
        String output = null;
        for (int i = 0; i + 1 < args.length; i += 2) {
            switch (args[i]) {
                case "--log" -> log = args[i + 1];
                case "--labels" -> labelsFile = args[i + 1];
                case "--label" -> label = Integer.parseInt(args[i + 1]);
                case "--out" -> output = args[i + 1];
                default -> {
                    err.println("unknown option " + args[i]);
                    return 2;
                }
            }
        }
        if (log == null || output == null || (label == null) == (labelsFile == null) || args.length % 2 != 0) {
            err.println("usage: ForensicToCorpus --log FILE_OR_DIR (--label CLASS | --labels FILE) --out CORPUS.jsonl\n"
                    + "the forensic log has no ground truth: the true class comes from --label or the labels file");
            return 2;
        }
        try {
            Map<String, Integer> labels = labelsFile == null ? null : readLabels(Path.of(labelsFile));
            Result r = convert(Path.of(log), label, labels);
            Files.writeString(Path.of(output), r.corpus(), StandardCharsets.UTF_8);
            out.printf("%d examples written to %s (%d records without a label left out)%nsha256 %s%n", r.examples(), output,
                    r.unlabelled(), io.robustml.fetch.Sha256.of(r.corpus().getBytes(StandardCharsets.UTF_8)));
            return r.examples() == 0 ? 1 : 0;
        } catch (IOException | IllegalArgumentException e) {
            err.println("cannot convert " + log + ": " + e.getMessage());
            return 1;
        }
    }

    /** The corpus text, how many examples it holds and how many records had no label. */
    record Result(String corpus, int examples, int unlabelled) {
    }

    static Result convert(Path log, Integer label, Map<String, Integer> labels) throws IOException {
        List<Path> files = new ArrayList<>();
        if (Files.isDirectory(log)) {
            try (Stream<Path> s = Files.list(log)) {
                s.filter(p -> p.getFileName().toString().endsWith(".jsonl")).sorted().forEach(files::add);
            }
        } else {
            files.add(log);
        }
        ObjectMapper json = new ObjectMapper();
        StringBuilder corpus = new StringBuilder();
        int examples = 0;
        int unlabelled = 0;
        for (Path file : files) {
            for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
                if (line.isBlank()) {
                    continue;
                }
                JsonNode record = json.readTree(line);
                String id = record.path("requestId").asText() + ":" + record.path("row").asInt();
                Integer truth = label != null ? label : labels.get(id);
                if (truth == null) {
                    unlabelled++;
                    continue;
                }
                JsonNode input = record.path("input");
                if (!input.path("data").isArray() || !input.path("shape").isArray()) {
                    throw new IllegalArgumentException(file + ": record " + id + " has no input data and shape");
                }
                ObjectNode example = json.createObjectNode();
                example.set("input", input.get("data"));
                example.set("shape", input.get("shape"));
                example.put("label", truth);
                example.put("id", id);
                corpus.append(json.writeValueAsString(example)).append('\n');
                examples++;
            }
        }
        return new Result(corpus.toString(), examples, unlabelled);
    }

    /** Lines of {@code <requestId>:<row> <class>} (whitespace or a comma between); # starts a comment. */
    static Map<String, Integer> readLabels(Path file) throws IOException {
        Map<String, Integer> labels = new HashMap<>();
        for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
            String s = line.strip();
            if (s.isEmpty() || s.startsWith("#")) {
                continue;
            }
            String[] parts = s.split("[\\s,]+");
            if (parts.length != 2) {
                throw new IllegalArgumentException(file + ": expected '<requestId>:<row> <class>', got '" + s + "'");
            }
            labels.put(parts[0].contains(":") ? parts[0] : parts[0] + ":0", Integer.parseInt(parts[1]));
        }
        return labels;
    }
}
