package io.jigsaw.operators;

import org.apache.flink.api.common.serialization.SerializerConfig;
import org.apache.flink.api.common.typeinfo.TypeInfoFactory;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeutils.TypeSerializer;

import java.lang.reflect.Type;
import java.util.Map;

/** Flink's type information for {@link Piece}: serialised by {@link PieceSerializer}, not as a POJO. */
public final class PieceTypeInfo extends TypeInformation<Piece> {

    private static final long serialVersionUID = 1L;

    @Override
    public boolean isBasicType() {
        return false;
    }

    @Override
    public boolean isTupleType() {
        return false;
    }

    @Override
    public int getArity() {
        return 1;
    }

    @Override
    public int getTotalFields() {
        return 1;
    }

    @Override
    public Class<Piece> getTypeClass() {
        return Piece.class;
    }

    @Override
    public boolean isKeyType() {
        return false;
    }

    @Override
    public TypeSerializer<Piece> createSerializer(SerializerConfig config) {
        return new PieceSerializer(config);
    }

    @Override
    public String toString() {
        return "Piece";
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof PieceTypeInfo;
    }

    @Override
    public int hashCode() {
        return PieceTypeInfo.class.hashCode();
    }

    @Override
    public boolean canEqual(Object o) {
        return o instanceof PieceTypeInfo;
    }

    /** Named on {@link Piece} with {@code @TypeInfo}, so {@code TypeInformation.of(Piece.class)} finds it. */
    public static final class Factory extends TypeInfoFactory<Piece> {
        @Override
        public TypeInformation<Piece> createTypeInfo(Type t, Map<String, TypeInformation<?>> genericParameters) {
            return new PieceTypeInfo();
        }
    }
}
