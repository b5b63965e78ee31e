package io.jigsaw.job.cli;

import io.jigsaw.core.graph.Graph;
import io.jigsaw.core.plan.AdaptationMode;
import io.jigsaw.planner.adapt.PlanAdapter;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Option;
import picocli.CommandLine.TypeConversionException;

/** {@code --adapt}: per-request adaptation added to each plan, for the commands that make plans to serve or simulate. */
final class AdaptOption {

    @Option(names = "--adapt", defaultValue = "none", paramLabel = "MODE", converter = ModeConverter.class,
            description = "Per-request adaptation inside each plan: none, ladder (each batch runs the most accurate variant the "
                    + "slack of its tightest piece allows), cascade (a cheaper variant first, low-confidence pieces again on a "
                    + "larger one; threshold from confidence.csv) or both (default: ${DEFAULT-VALUE}).")
    AdaptationMode mode;

    AdaptationMode mode() {
        return mode;
    }

    /** Refused with what to do when a cascade is asked for and the graph has no confidences. */
    PlanAdapter adapter(Graph graph) {
        return PlanAdapter.of(mode, graph);
    }

    /** none, ladder, cascade or both. */
    static final class ModeConverter implements ITypeConverter<AdaptationMode> {
        @Override
        public AdaptationMode convert(String value) {
            try {
                return AdaptationMode.parse(value.trim().toLowerCase(java.util.Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw new TypeConversionException("expected none, ladder, cascade or both, found '" + value + "'");
            }
        }
    }
}
