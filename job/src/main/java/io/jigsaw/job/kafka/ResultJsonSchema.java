package io.jigsaw.job.kafka;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.jigsaw.job.client.ResultFormat;
import io.jigsaw.schemas.Result;
import org.apache.flink.api.common.serialization.SerializationSchema;

/**
 * A result as one JSON object in UTF-8 — the fields `bin/jigsaw results --json` prints
 * ({@link ResultFormat#json}) — for the optional mirror topic generic tools can read.
 */
final class ResultJsonSchema implements SerializationSchema<Result> {

    private transient ObjectMapper json;

    @Override
    public byte[] serialize(Result r) {
        if (json == null) {
            json = new ObjectMapper();
        }
        try {
            return json.writeValueAsBytes(ResultFormat.json(r));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a result that does not write as JSON: " + r.getRequestId(), e);
        }
    }
}
