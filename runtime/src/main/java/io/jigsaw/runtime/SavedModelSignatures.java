package io.jigsaw.runtime;

import io.jigsaw.core.graph.Dataflow;
import io.jigsaw.core.graph.Graph;
import io.jigsaw.core.graph.ModelSignature;
import io.jigsaw.core.graph.TensorSpec;
import io.jigsaw.core.input.InputException;
import org.tensorflow.proto.framework.DataType;
import org.tensorflow.proto.framework.MetaGraphDef;
import org.tensorflow.proto.framework.SavedModel;
import org.tensorflow.proto.framework.SignatureDef;
import org.tensorflow.proto.framework.TensorInfo;
import org.tensorflow.proto.framework.TensorShapeProto;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A SavedModel's {@code serving_default} signature, read from its {@code saved_model.pb} (a protobuf)
 * without loading TensorFlow: the job, {@code plan} and {@code demo} check every model against the
 * graph before anything starts ({@link Dataflow}).
 */
public final class SavedModelSignatures {

    private static final String SERVING = "serving_default";

    private SavedModelSignatures() {
    }

    /** The graph's dataflow, checked against its built SavedModels (variants not built yet are not checked). */
    public static Dataflow check(Graph graph) {
        return check(graph, v -> true);
    }

    /** The same, checking only the variants {@code include} accepts (e.g. not those about to be rebuilt). */
    public static Dataflow check(Graph graph, java.util.function.Predicate<io.jigsaw.core.graph.Variant> include) {
        return Dataflow.resolve(graph, (task, variant, input) -> graph.modelPath(variant)
                .filter(dir -> include.test(variant) && Files.isRegularFile(dir.resolve("saved_model.pb")))
                .map(SavedModelSignatures::read));
    }

    public static ModelSignature read(Path dir) {
        Path pb = dir.resolve("saved_model.pb");
        SavedModel model;
        try {
            model = SavedModel.parseFrom(Files.readAllBytes(pb));
        } catch (IOException e) {
            throw new InputException(pb, "", "not a readable SavedModel: " + e.getMessage());
        }
        Optional<SignatureDef> signature = model.getMetaGraphsList().stream()
                .map(MetaGraphDef::getSignatureDefMap).filter(m -> m.containsKey(SERVING)).map(m -> m.get(SERVING)).findFirst();
        if (signature.isEmpty()) {
            throw new InputException(pb, "", "no '" + SERVING + "' signature; a served model needs one");
        }
        return new ModelSignature(specs(signature.get().getInputsMap()), specs(signature.get().getOutputsMap()), dir.toString());
    }

    private static Map<String, TensorSpec> specs(Map<String, TensorInfo> infos) {
        Map<String, TensorSpec> out = new LinkedHashMap<>();
        infos.entrySet().stream().sorted(Map.Entry.comparingByKey()).forEach(e -> out.put(e.getKey(), spec(e.getValue())));
        return out;
    }

    /** Shape without the batch axis (its first dimension); an unknown dimension is -1. */
    private static TensorSpec spec(TensorInfo info) {
        TensorShapeProto shape = info.getTensorShape();
        List<Integer> dims = new ArrayList<>();
        for (int i = 1; i < shape.getDimCount(); i++) {
            dims.add((int) shape.getDim(i).getSize());
        }
        return new TensorSpec(dims, dtype(info.getDtype()));
    }

    private static String dtype(DataType t) {
        return switch (t) {
            case DT_FLOAT -> TensorSpec.FLOAT32;
            case DT_DOUBLE -> "float64";
            case DT_INT32 -> "int32";
            case DT_INT64 -> "int64";
            case DT_UINT8 -> "uint8";
            case DT_INT8 -> "int8";
            default -> t.name().toLowerCase(java.util.Locale.ROOT);
        };
    }
}
