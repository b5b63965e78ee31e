package io.jigsaw.job.report;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;

import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What `bin/jigsaw demo` prints at the end of a run (one JSON object with {@code --json}), and what `bin/jigsaw report
 * --served` reads back: one type for both, its JSON names the components' in snake case. Counted after warm-up.
 * Fields that do not apply to a run are absent (null): measured accuracy without truth, the CPU of a local cluster's
 * other processes, faults without --chaos, a local cluster's start times and placement. The figures `report --served`
 * needs are boxed too, so that a summary written without them (an older build's, a hand-edited one) is told apart
 * from one that says 0.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record DemoSummary(
        String graph,
        long requestsSent,
        long results,
        long dropped,
        Map<String, Long> dropsByReason,
        /* Answers read within the SLO per second of trace, and the share the plans held meanwhile (time mean). */
        double goodputRps,
        double gpuShareHeldPct,
        long deadLetters,
        long lost,
        long duplicates,
        long repeatsDroppedByReader,
        long foreignResultsSeen,
        Double sloAttainmentVisible,
        long visibleP50Ms,
        long visibleP99Ms,
        double sloAttainment,
        long p50Ms,
        long p99Ms,
        Double accuracyPlanned,
        Double accuracyMeasured,
        Double accuracyFromTaskMeans,
        long accuracyScoredRequests,
        Map<String, PlanAccuracy> accuracyPerPlan,
        Map<String, Double> taskScoresMeasured,
        Map<String, Double> taskScoresPlanned,
        Map<String, String> taskMetrics,
        String accuracyUnits,
        Double accuracyPlannedRelative,
        long objectsFound,
        String adapt,
        Map<String, Map<String, Long>> servedByVariant,
        Map<String, Map<String, Long>> droppedAfterVariant,
        Map<String, Object> fanoutObserved,
        double frameworkPerHopP50Ms,
        double frameworkPerHopP99Ms,
        /* p50 along each answer's slowest branch: in batches (model), waiting for them (queue), between operators (transfer). */
        Map<String, Double> pathP50Ms,
        String delivery,
        long checkpointIntervalMs,
        Double cpuCoresUsed,
        Double cpuMsPerRequest,
        double resultVisibleP50Ms,
        double resultVisibleP99Ms,
        long restarts,
        long bytesBetweenOperatorsPerRequest,
        String cluster,
        Double clusterStartToRegisteredS,
        Double clusterStartToRunningJobS,
        /* Operator → the TaskManagers its subtasks ran on at the end of the run (a local cluster's, from the REST API). */
        Map<String, List<String>> placement,
        /* On a local cluster with the sidecar: each move of the job onto a plan's partitions, their pauses summed, plans not moved to. */
        List<Repartition> repartitions,
        Long repartitionPauseMs,
        List<String> repartitionsDeclined,
        boolean earlyDrop,
        String accuracySource,
        List<TimelineBin> timeline,
        List<String> faults,
        Map<String, Long> droppedAroundFaults,
        Integer kafkaBrokers,
        double latencySloMs,
        long plansInRun,
        /* Per re-plan during the run: from the sidecar's decision (the tick, before the solve) to the first answer served under it. */
        List<Long> planSwitchMs,
        String planner,
        long warmupRequests,
        List<String> tasks,
        String dashboardUrl,
        Map<String, Object> sampleResult,
        String note) {

    /** One plan version's scored requests: mean planned and measured accuracy, their difference, the tasks' product. */
    public record PlanAccuracy(long scored, Double accuracyPlanned, Double accuracyMeasured, double absDifference,
            double accuracyFromTaskMeans) {
    }

    /**
     * One move of the job onto a plan's partitions: why, when (seconds into the replay), the pause (stop with a savepoint
     * until the resumed job ran; the savepoint's part), the TaskManagers started before it (and how long they took) and
     * stopped, each task's TaskManagers before and after from the REST API, and the requests sent from one SLO before the
     * stop to the end of the pause that were answered as dropped.
     */
    public record Repartition(long fromVersion, long toVersion, String why, double atS, long pauseMs, long savepointMs,
            long prepareMs, List<String> taskManagersStarted, List<String> taskManagersStopped,
            Map<String, List<String>> placementBefore, Map<String, List<String>> placementAfter, long droppedDuring) {
    }

    /** Answers per bin of the trace's time, and those within the SLO per second. */
    public record TimelineBin(long fromS, long answered, double goodputRps) {
    }

    private static final ObjectMapper JSON = new ObjectMapper()
            .setPropertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
            .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);

    public String toJson() {
        try {
            return JSON.writeValueAsString(this);
        } catch (IOException e) {
            throw new IllegalStateException("the demo summary did not serialise", e);
        }
    }

    /** @throws IOException when {@code line} is not a summary's JSON */
    public static DemoSummary fromJson(String line) throws IOException {
        return JSON.readValue(line, DemoSummary.class);
    }

    /** Name → value in the order above, without the absent ones: the lines the demo prints. */
    public Map<String, Object> fields() {
        return JSON.convertValue(this, new TypeReference<LinkedHashMap<String, Object>>() { });
    }
}
