package io.robustml.oip;

import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.StreamWriteFeature;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * Jackson's fast number parser and writer (FastDoubleParser, Schubfach) for the tensor-heavy JSON of
 * inference requests and responses. The values are the same as the JDK's: both parse to the nearest
 * double or float and write a representation that reads back to the same value.
 */
public final class FastNumbers {
    private FastNumbers() {
    }

    public static ObjectMapper on(ObjectMapper mapper) {
        mapper.getFactory().enable(StreamReadFeature.USE_FAST_DOUBLE_PARSER.mappedFeature());
        mapper.getFactory().enable(StreamWriteFeature.USE_FAST_DOUBLE_WRITER.mappedFeature());
        return mapper;
    }
}
