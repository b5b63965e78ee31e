package io.jigsaw.job.cli;

import io.jigsaw.core.graph.Graph;
import io.jigsaw.core.plan.AdaptationMode;
import io.jigsaw.planner.adapt.PlanAdapter;
import picocli.CommandLine.Option;

/** {@code --adapt}: per-request adaptation added to each plan, for the commands that make plans to serve or simulate. */
final class AdaptOption {

    @Option(names = "--adapt", defaultValue = "none", paramLabel = "MODE",
            description = "Per-request adaptation inside each plan: none, ladder (each batch runs the most accurate variant the "
                    + "slack of its tightest piece allows), cascade (a cheaper variant first, low-confidence pieces again on a "
                    + "larger one; threshold from confidence.csv) or both (default: ${DEFAULT-VALUE}).")
    String name;

    AdaptationMode mode() {
        return AdaptationMode.parse(name);
    }

    PlanAdapter adapter(Graph graph) {
        return PlanAdapter.of(mode(), graph);
    }
}
