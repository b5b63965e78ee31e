package io.jigsaw.core.graph;

import java.util.List;
import java.util.Map;

/**
 * A model's serving signature: its named input and output tensors with their shapes (without the
 * batch axis; -1 where the model accepts any size) and element types. Read from a SavedModel, or
 * derived from a {@link ModelRecipe} before it is built.
 *
 * @param origin where it was read, for messages (a SavedModel's directory, "its recipe")
 */
public record ModelSignature(Map<String, TensorSpec> inputs, Map<String, TensorSpec> outputs, String origin) {

    public ModelSignature {
        inputs = Map.copyOf(inputs);
        outputs = Map.copyOf(outputs);
    }

    /** What a recipe's model will declare when it is built for this input. */
    public static ModelSignature ofRecipe(ModelRecipe recipe, TensorSpec input) {
        Map<String, TensorSpec> out = new java.util.LinkedHashMap<>();
        recipe.outputs().forEach((name, shape) -> out.put(name, new TensorSpec(shape, TensorSpec.FLOAT32)));
        return new ModelSignature(Map.of("input", input), out, "its recipe");
    }
}
