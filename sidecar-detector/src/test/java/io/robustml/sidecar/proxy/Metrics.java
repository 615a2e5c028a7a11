package io.robustml.sidecar.proxy;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;

/** Reads one sample of the sidecar's Prometheus endpoint. */
final class Metrics {
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    private Metrics() {
    }

    static String scrape(URI base) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(base.resolve("/metrics")).build(), HttpResponse.BodyHandlers.ofString()).body();
    }

    /** The value of the first sample whose line starts with {@code nameAndLabels} (0 when absent). */
    static double value(URI base, String nameAndLabels) throws Exception {
        for (String line : scrape(base).split("\n")) {
            if (line.startsWith(nameAndLabels + " ")) {
                return Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
            }
        }
        return 0;
    }

    /** The sha256 label of robustml_sidecar_config_info. */
    static String configSha(URI base) throws Exception {
        for (String line : scrape(base).split("\n")) {
            if (line.startsWith("robustml_sidecar_config_info{")) {
                int i = line.indexOf("sha256=\"") + 8;
                return line.substring(i, line.indexOf('"', i));
            }
        }
        return null;
    }
}
