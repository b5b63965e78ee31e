package io.jigsaw.core.graph;

import io.jigsaw.core.input.InputException;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What flows along each edge of a graph, checked against its models: the tensor each task is fed
 * (the frame, a crop, a parent's output, a join's concatenated branches) and the layout of every
 * join's input. Resolved in topological order, since a task's input follows from its parents'
 * outputs. Every mismatch is an {@link InputException} naming the graph file, the task, the variant,
 * the tensor, and what was expected and found.
 */
public final class Dataflow implements Serializable {

    /** One branch of a join's input vector: {@code maxPieces × elements} floats from {@code from}'s {@code tensor}. */
    public record JoinBranch(String from, String tensor, int maxPieces, int elements) implements Serializable {
    }

    /** Where a variant's signature comes from: its built SavedModel, or its recipe for the input it will take. */
    @FunctionalInterface
    public interface Signatures {
        /** @param input the input the graph feeds the task (null if the graph cannot say: no input spec) */
        Optional<ModelSignature> of(Task task, Variant variant, TensorSpec input);
    }

    private final Map<String, TensorSpec> inputs;
    private final Map<String, List<JoinBranch>> joins;

    private Dataflow(Map<String, TensorSpec> inputs, Map<String, List<JoinBranch>> joins) {
        this.inputs = inputs;
        this.joins = joins;
    }

    /** The tensor a task is fed (shape without the batch axis), if the graph and its models say. */
    public Optional<TensorSpec> input(String task) {
        return Optional.ofNullable(inputs.get(task));
    }

    /** A join's branches in the order its input vector holds them; empty for a task that is no join. */
    public List<JoinBranch> join(String task) {
        return joins.getOrDefault(task, List.of());
    }

    public static Dataflow resolve(Graph graph, Signatures signatures) {
        return new Resolver(graph, signatures).run();
    }

    private static final class Resolver {
        private final Graph graph;
        private final Signatures signatures;
        private final Map<String, TensorSpec> inputs = new HashMap<>();
        private final Map<String, List<JoinBranch>> joins = new LinkedHashMap<>();
        /** Per task, per variant with a model, its outputs. */
        private final Map<String, Map<String, ModelSignature>> built = new HashMap<>();

        Resolver(Graph graph, Signatures signatures) {
            this.graph = graph;
            this.signatures = signatures;
        }

        Dataflow run() {
            for (Task t : graph.tasks()) {
                TensorSpec in = expectedInput(t);
                if (in != null) {
                    inputs.put(t.name(), in);
                }
                Map<String, ModelSignature> mine = new LinkedHashMap<>();
                for (Variant v : t.variants()) {
                    if (v.pseudo()) {
                        continue;
                    }
                    Optional<ModelSignature> sig = signatures.of(t, v, in);
                    if (sig.isEmpty()) {
                        continue;
                    }
                    checkInput(t, v, sig.get(), in);
                    mine.put(v.name(), sig.get());
                }
                built.put(t.name(), mine);
                t.labels().ifPresent(l -> checkLabels(t, l));
            }
            return new Dataflow(Map.copyOf(inputs), Map.copyOf(joins));
        }

        private TensorSpec expectedInput(Task t) {
            TaskInput input = t.input();
            if (input instanceof TaskInput.ParentTensor p) {
                return tensorOf(t, p.from(), p.tensor()).orElse(null);
            }
            if (input instanceof TaskInput.Crops c) {
                TensorSpec image = inputs.get(c.from());
                Optional<TensorSpec> boxes = tensorOf(t, c.from(), c.boxes());
                Optional<TensorSpec> scores = tensorOf(t, c.from(), c.scores());
                if (boxes.isPresent() && scores.isPresent()) {
                    List<Integer> b = boxes.get().shape();
                    List<Integer> s = scores.get().shape();
                    if (b.size() != 2 || b.get(1) != 4 || s.size() != 1 || !b.get(0).equals(s.get(0))) {
                        throw error(graph.task(c.from()).orElseThrow(), null, c.boxes() + ", " + c.scores(),
                                "crops for '" + t.name() + "' need boxes [K, 4] and scores [K], found " + b + " and " + s);
                    }
                }
                if (image == null) {
                    return null;
                }
                if (image.shape().size() != 3) {
                    throw error(t, null, "input", "crops are cut from the parent's input image [height, width, channels]; '"
                            + c.from() + "' takes " + image.shape());
                }
                return new TensorSpec(List.of(c.height(), c.width(), image.shape().get(2)), image.dtype());
            }
            if (input instanceof TaskInput.Join j) {
                List<JoinBranch> branches = new ArrayList<>();
                int total = 0;
                for (TaskInput.ParentTensor b : j.branches()) {
                    Optional<TensorSpec> spec = tensorOf(t, b.from(), b.tensor());
                    if (spec.isEmpty()) {
                        return null;
                    }
                    int elements = (int) spec.get().elements();
                    int max = graph.maxPieces(b.from());
                    branches.add(new JoinBranch(b.from(), b.tensor(), max, elements));
                    total += max * elements;
                }
                joins.put(t.name(), List.copyOf(branches));
                return new TensorSpec(List.of(total), TensorSpec.FLOAT32);
            }
            return graph.input().orElse(null);
        }

        /** The shape of a parent's output tensor, the same for each of its variants that has a model. */
        private Optional<TensorSpec> tensorOf(Task reader, String from, String tensor) {
            Task parent = graph.task(from).orElseThrow();
            TensorSpec agreed = null;
            String agreedBy = null;
            for (Map.Entry<String, ModelSignature> e : built.getOrDefault(from, Map.of()).entrySet()) {
                TensorSpec spec = e.getValue().outputs().get(tensor);
                Variant v = parent.variant(e.getKey()).orElseThrow();
                if (spec == null) {
                    throw error(parent, v, tensor, "task '" + reader.name() + "' reads output '" + tensor + "', which the model ("
                            + e.getValue().origin() + ") does not have; its outputs: " + e.getValue().outputs().keySet());
                }
                if (agreed != null && !agreed.shape().equals(spec.shape())) {
                    throw error(parent, v, tensor, "every variant must give '" + reader.name() + "' the same shape: "
                            + agreedBy + " gives " + agreed.shape() + ", this one " + spec.shape());
                }
                agreed = spec;
                agreedBy = e.getKey();
            }
            return Optional.ofNullable(agreed);
        }

        private void checkInput(Task t, Variant v, ModelSignature sig, TensorSpec expected) {
            if (sig.inputs().size() != 1) {
                throw error(t, v, "input", "expected a model with one input tensor (" + describe(expected) + "), found "
                        + sig.inputs().keySet() + " in " + sig.origin());
            }
            Map.Entry<String, TensorSpec> in = sig.inputs().entrySet().iterator().next();
            if (expected == null) {
                return;
            }
            if (!fits(in.getValue(), expected)) {
                throw error(t, v, in.getKey(), "expected " + describe(expected) + " (" + what(t) + "), found "
                        + describe(in.getValue()) + " in " + sig.origin());
            }
        }

        private void checkLabels(Task t, Labels labels) {
            for (Map.Entry<String, ModelSignature> e : built.get(t.name()).entrySet()) {
                TensorSpec spec = e.getValue().outputs().get(labels.tensor());
                Variant v = t.variant(e.getKey()).orElseThrow();
                if (spec == null) {
                    throw error(t, v, labels.tensor(), "labels name entries of output '" + labels.tensor()
                            + "', which the model (" + e.getValue().origin() + ") does not have; its outputs: " + e.getValue().outputs().keySet());
                }
                if (spec.elements() != labels.names().size()) {
                    throw error(t, v, labels.tensor(), "expected " + labels.names().size() + " entries, one per label, found "
                            + spec.shape());
                }
            }
        }

        private String what(Task t) {
            TaskInput in = t.input();
            if (in instanceof TaskInput.Crops c) {
                return "crops of " + c.from() + "'s input at " + c.height() + "x" + c.width();
            }
            if (in instanceof TaskInput.ParentTensor p) {
                return p.from() + "'s output '" + p.tensor() + "'";
            }
            if (in instanceof TaskInput.Join) {
                return "its branches joined: " + joins.get(t.name()).stream()
                        .map(b -> b.from() + "." + b.tensor() + " " + b.maxPieces() + "x" + b.elements()).toList();
            }
            return "the request's frame";
        }

        private InputException error(Task t, Variant v, String tensor, String problem) {
            return new InputException(graph.source(), "task " + t.name() + (v == null ? "" : ", variant " + v.name())
                    + ", tensor " + tensor, problem);
        }
    }

    /** A model's -1 dimension takes any size; otherwise shapes and element types must be equal. */
    static boolean fits(TensorSpec model, TensorSpec fed) {
        if (!model.dtype().equals(fed.dtype()) || model.shape().size() != fed.shape().size()) {
            return false;
        }
        for (int i = 0; i < fed.shape().size(); i++) {
            int m = model.shape().get(i);
            if (m != -1 && m != fed.shape().get(i)) {
                return false;
            }
        }
        return true;
    }

    private static String describe(TensorSpec s) {
        return s == null ? "?" : s.shape() + " " + s.dtype();
    }
}
