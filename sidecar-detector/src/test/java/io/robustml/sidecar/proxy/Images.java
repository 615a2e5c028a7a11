package io.robustml.sidecar.proxy;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.robustml.oip.data.IdxFiles;
import io.robustml.oip.data.LabelledImages;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;

/** Fashion-MNIST test images as one-image OIP requests. */
final class Images {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static LabelledImages test;

    private Images() {
    }

    static synchronized String request(int index) {
        if (test == null) {
            try {
                Path dir = Path.of("/usr/share/datasets/fashion-mnist");
                test = IdxFiles.read(dir.resolve("t10k-images-idx3-ubyte.gz"), dir.resolve("t10k-labels-idx1-ubyte.gz"), 10000);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        ObjectNode req = JSON.createObjectNode();
        req.put("id", "img-" + index);
        ObjectNode input = req.putArray("inputs").addObject().put("name", "input").put("datatype", "FP32");
        input.putArray("shape").add(1).add(1).add(28).add(28);
        ArrayNode data = input.putArray("data");
        for (float v : test.images()[index]) {
            data.add(v);
        }
        return req.toString();
    }
}
