package io.jigsaw.operators;

import io.jigsaw.schemas.AvroBytes;
import org.apache.avro.specific.SpecificRecord;
import org.apache.flink.api.common.serialization.SerializationSchema;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.java.typeutils.ResultTypeQueryable;

/**
 * A Kafka sink's value serializer writing {@link AvroBytes}. Names its type, which the Kafka
 * connector's lineage reporting asks for and cannot infer from a lambda.
 */
public final class AvroValueSchema<T extends SpecificRecord> implements SerializationSchema<T>, ResultTypeQueryable<T> {

    private final Class<T> type;

    public AvroValueSchema(Class<T> type) {
        this.type = type;
    }

    @Override
    public byte[] serialize(T record) {
        return AvroBytes.encode(record);
    }

    @Override
    public TypeInformation<T> getProducedType() {
        return TypeInformation.of(type);
    }
}
