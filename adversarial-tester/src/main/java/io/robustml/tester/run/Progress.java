package io.robustml.tester.run;

/** Told after every batch; long runs show examples done and the success rates so far. */
@FunctionalInterface
public interface Progress {
    void update(int examplesDone, int examples, String summary);

    static Progress none() {
        return (done, total, summary) -> {
        };
    }
}
