package io.robustml.sidecar.config;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.quarkus.jackson.ObjectMapperCustomizer;
import io.robustml.oip.FastNumbers;
import jakarta.inject.Singleton;

/** The application's ObjectMapper parses and writes tensor numbers with Jackson's fast algorithms ({@link FastNumbers}). */
@Singleton
public class FastJsonNumbers implements ObjectMapperCustomizer {
    @Override
    public void customize(ObjectMapper mapper) {
        FastNumbers.on(mapper);
    }
}
