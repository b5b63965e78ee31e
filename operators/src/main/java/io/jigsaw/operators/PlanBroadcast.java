package io.jigsaw.operators;

import io.jigsaw.core.plan.Plan;
import io.jigsaw.core.plan.TaskPlan;
import org.apache.flink.api.common.state.BroadcastState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.state.ReadOnlyBroadcastState;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;

/**
 * The current plan per graph, as broadcast state. Broadcast because every task operator, the
 * decoder and the joins need the whole plan (a sender picks the replica of the task below it), and
 * every subtask sees the same plans in the same order. Checkpointed with the operators, so a
 * restore resumes under the plan it had.
 */
public final class PlanBroadcast {

    public static final MapStateDescriptor<String, Plan> PLANS =
            new MapStateDescriptor<>("plans", Types.STRING, TypeInformation.of(Plan.class));

    private PlanBroadcast() {
    }

    public static Plan current(ReadOnlyBroadcastState<String, Plan> state, String graph) throws Exception {
        return state.get(graph);
    }

    /**
     * Each replica's fraction of a task's pieces under the plan (even unless the plan splits the task's
     * traffic across variants); one replica before any plan.
     */
    public static double[] weights(Plan plan, String task) {
        if (plan == null) {
            return new double[] {1};
        }
        return plan.task(task).filter(tp -> tp.replicas() > 0).map(TaskPlan::routingWeights).orElse(new double[] {1});
    }

    /**
     * Stores a plan for this graph if it is newer than the one held: replays of the plans topic and
     * restarts never go back to an older plan. @return whether it was taken
     */
    public static boolean accept(BroadcastState<String, Plan> state, String graph, Plan incoming) throws Exception {
        Plan held = state.get(incoming.graph());
        if (!incoming.graph().equals(graph) || (held != null && incoming.version() <= held.version())) {
            return false;
        }
        state.put(incoming.graph(), incoming);
        return true;
    }
}
