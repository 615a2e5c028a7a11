package io.robustml.tester.run;

/** Where the tester reports: the run's status on the API server, or the console for offline use. */
public interface RunStatusSink extends Progress {
    void running();

    void succeeded(EvaluationReport report);

    void failed(String error);
}
