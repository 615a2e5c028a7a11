package io.robustml.e2e;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A scrape of a real /metrics endpoint (Prometheus text format), kept under e2e-tests/target/recorded/
 * so the alert checks run on what the operator and the sidecars really exported.
 */
record RecordedSeries(Map<String, Double> samples) {
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private static final Pattern SAMPLE = Pattern.compile("^([a-zA-Z_:][a-zA-Z0-9_:]*)(\\{[^}]*})?\\s+(\\S+)");
    static final Path DIR = Path.of("target/recorded");

    /** Scrapes {@code url} and keeps the text as {@code DIR/<name>.prom}. */
    static RecordedSeries scrape(String url, String name) {
        try {
            HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10)).build(),
                    HttpResponse.BodyHandlers.ofString());
            if (r.statusCode() != 200) {
                throw new AssertionError("GET " + url + " answered " + r.statusCode());
            }
            Files.createDirectories(DIR);
            Files.writeString(DIR.resolve(name + ".prom"), r.body());
            return parse(r.body());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /**
     * Scrapes every replica of one component and keeps, per series, the sum over them (as {@code DIR/<name>.prom}):
     * counters of work done by whichever replica did it; gauges of a replica that does nothing add nothing.
     */
    static RecordedSeries scrapeAll(java.util.List<String> urls, String name) {
        Map<String, Double> sums = new LinkedHashMap<>();
        for (String url : urls) {
            scrape(url, name).samples().forEach((series, v) -> sums.merge(series, v, Double::sum));
        }
        StringBuilder text = new StringBuilder();
        sums.forEach((series, v) -> text.append(series).append(' ').append(v).append('\n'));
        try {
            Files.writeString(DIR.resolve(name + ".prom"), text);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return new RecordedSeries(sums);
    }

    /** A scrape kept by {@link #scrape}. */
    static RecordedSeries read(String name) {
        Path file = DIR.resolve(name + ".prom");
        try {
            return parse(Files.readString(file));
        } catch (IOException e) {
            throw new UncheckedIOException(file + " was not recorded (its scenario did not run?)", e);
        }
    }

    static RecordedSeries parse(String text) {
        Map<String, Double> samples = new LinkedHashMap<>();
        for (String line : text.split("\n")) {
            Matcher m = SAMPLE.matcher(line);
            if (!line.startsWith("#") && m.find()) {
                samples.put(m.group(1) + (m.group(2) == null ? "" : m.group(2)), Double.parseDouble(m.group(3)));
            }
        }
        return new RecordedSeries(samples);
    }

    /** The samples of {@code metric}, by label set as exported ({@code {outcome="ok"}}; "" for none). */
    Map<String, Double> of(String metric) {
        Map<String, Double> found = new LinkedHashMap<>();
        samples.forEach((series, v) -> {
            if (series.equals(metric) || series.startsWith(metric + "{")) {
                found.put(series.substring(metric.length()), v);
            }
        });
        return found;
    }

    /** The value of a label in a label set as exported ({@code {a="1",b="2"}}), or null. */
    static String label(String labels, String name) {
        Matcher m = Pattern.compile("[{,]" + name + "=\"([^\"]*)\"").matcher(labels);
        return m.find() ? m.group(1) : null;
    }
}
