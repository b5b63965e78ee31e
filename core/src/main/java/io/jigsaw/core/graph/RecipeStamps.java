package io.jigsaw.core.graph;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * What a model built from a recipe records beside it, so a model is rebuilt when what made it
 * changed: its recipe and the input the graph feeds it ({@link ModelRecipe#stamp}) and, for a
 * trained join, the stamps of every trained variant above it — a join learns from what its
 * upstream models answer, so retraining them retrains it. `models` writes these and the demo checks
 * them.
 */
public final class RecipeStamps {

    private RecipeStamps() {
    }

    /** How each task is fed when every variant with a recipe is built from it. */
    public static Dataflow recipeFlow(Graph graph) {
        return Dataflow.resolve(graph, (task, v, in) -> v.recipe().map(r -> ModelSignature.ofRecipe(r, in)));
    }

    /** Variant name → its stamp, for every variant with a recipe whose input the graph can say. */
    public static Map<String, String> of(Graph graph, Dataflow flow) {
        Map<String, String> out = new LinkedHashMap<>();
        for (Task t : graph.tasks()) {
            for (Variant v : t.variants()) {
                Optional<ModelRecipe> recipe = v.recipe();
                Optional<TensorSpec> input = flow.input(t.name());
                if (recipe.isEmpty() || input.isEmpty()) {
                    continue;
                }
                String stamp = recipe.get().stamp(input.get());
                if (recipe.get().trained() && t.input() instanceof TaskInput.Join) {
                    List<String> upstream = new ArrayList<>();
                    for (String above : ancestors(graph, t.name())) {
                        for (Variant u : graph.task(above).orElseThrow().variants()) {
                            if (u.recipe().isPresent() && u.recipe().get().trained() && out.containsKey(u.name())) {
                                upstream.add(u.name() + ": " + out.get(u.name()));
                            }
                        }
                    }
                    stamp += " trained on the answers of " + upstream;
                }
                out.put(v.name(), stamp);
            }
        }
        return out;
    }

    /** Every task above {@code task}, in the graph's (topological) order. */
    public static List<String> ancestors(Graph graph, String task) {
        Set<String> seen = new LinkedHashSet<>();
        List<String> todo = new ArrayList<>(graph.task(task).orElseThrow().after());
        while (!todo.isEmpty()) {
            String next = todo.remove(todo.size() - 1);
            if (seen.add(next)) {
                todo.addAll(graph.task(next).orElseThrow().after());
            }
        }
        return graph.tasks().stream().map(Task::name).filter(seen::contains).toList();
    }
}
