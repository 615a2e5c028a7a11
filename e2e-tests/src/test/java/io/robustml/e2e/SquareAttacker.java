package io.robustml.e2e;

import io.robustml.tester.attack.Constraint;
import io.robustml.tester.attack.Geometry;
import io.robustml.tester.attack.Norm;
import io.robustml.tester.attack.SquareAttack;
import io.robustml.tester.targets.OipTarget;
import io.robustml.tester.targets.Target;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A black-box attacker in a background thread: the tester's own Square Attack (L∞) through its OIP client
 * ({@link OipTarget}) against the model's Service, under its own API key, paced like a patient attacker.
 * Every answer is recorded with its HTTP status and time. A refused query ends that attack run, and the
 * attacker starts the next one (new seed) after a pause: it keeps trying, as a real one would.
 */
final class SquareAttacker implements AutoCloseable {
    /** One answer: when it came and its HTTP status (-1: no HTTP answer at all). */
    record Response(Instant at, int status) {
    }

    private static final Pattern STATUS = Pattern.compile("answered (\\d{3})");

    private final List<Response> responses = new CopyOnWriteArrayList<>();
    private final OipTarget target;
    private final float[][] x;
    private final int[] labels;
    private final SquareAttackSettings settings;
    private final Thread thread;
    private volatile boolean stopped;
    private volatile int runs;

    /** ε, queries per example per run, and the pause before each query. */
    record SquareAttackSettings(float epsilon, int queryBudget, Duration pace) {
    }

    private SquareAttacker(OipTarget target, float[][] x, int[] labels, SquareAttackSettings settings) {
        this.target = target;
        this.x = x;
        this.labels = labels;
        this.settings = settings;
        this.thread = new Thread(this::attack, "square-attacker");
        this.thread.setDaemon(true);
    }

    /** Connects (the model's metadata, as the tester does) and starts attacking {@code x} in the background. */
    static SquareAttacker start(String serviceUrl, String model, String apiKey, float[][] x, int[] labels,
            SquareAttackSettings settings) throws IOException {
        OipTarget target = OipTarget.connect(serviceUrl, model, x.length, apiKey, Duration.ofSeconds(10), OipTarget.Wire.JSON);
        SquareAttacker a = new SquareAttacker(target, x, labels, settings);
        a.thread.start();
        return a;
    }

    private void attack() {
        Target recording = new Target() {
            @Override
            public Answer classify(float[][] inputs) throws IOException {
                pause();
                try {
                    Answer a = target.classify(inputs);
                    responses.add(new Response(Instant.now(), 200));
                    return a;
                } catch (IOException e) {
                    Matcher m = STATUS.matcher(String.valueOf(e.getMessage()));
                    responses.add(new Response(Instant.now(), m.find() ? Integer.parseInt(m.group(1)) : -1));
                    throw e;
                }
            }

            @Override
            public long queries() {
                return target.queries();
            }
        };
        long seed = 1;
        while (!stopped) {
            SquareAttack square = new SquareAttack(Constraint.unitRange(Norm.LINF, settings.epsilon()), settings.queryBudget(),
                    0.3f, seed++);
            try {
                square.run(recording, x, labels, false, Geometry.of(x[0].length, 28, 28));
                runs++;
            } catch (IOException refused) {
                runs++; // refused or unreachable: start over, as an attacker would
            }
        }
    }

    private void pause() throws IOException {
        try {
            Thread.sleep(settings.pace().toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("stopped");
        }
        if (stopped) {
            throw new IOException("stopped");
        }
    }

    /** How many answers had each status in [from, to). */
    Map<Integer, Integer> statuses(Instant from, Instant to) {
        Map<Integer, Integer> counts = new TreeMap<>();
        for (Response r : responses) {
            if (!r.at().isBefore(from) && r.at().isBefore(to)) {
                counts.merge(r.status(), 1, Integer::sum);
            }
        }
        return counts;
    }

    int runs() {
        return runs;
    }

    @Override
    public void close() throws InterruptedException {
        stopped = true;
        thread.interrupt();
        thread.join(15_000);
    }
}
