package io.jigsaw.planner.solver;

import org.optaplanner.core.api.domain.solution.PlanningEntityCollectionProperty;
import org.optaplanner.core.api.domain.solution.PlanningScore;
import org.optaplanner.core.api.domain.solution.PlanningSolution;
import org.optaplanner.core.api.score.buildin.hardmediumsoftlong.HardMediumSoftLongScore;

import java.util.List;

/**
 * The planning solution: one {@link TaskAssignment} per task. Score levels: hard = rules broken
 * (by how much), medium and soft = the policy's objective in its order (least GPU share, then
 * accuracy; Loki: accuracy, then share).
 */
@PlanningSolution
public class GraphPlan {

    @PlanningEntityCollectionProperty
    private List<TaskAssignment> assignments;

    @PlanningScore
    private HardMediumSoftLongScore score;

    public GraphPlan() {
        // for OptaPlanner's cloning
    }

    public GraphPlan(List<TaskAssignment> assignments) {
        this.assignments = assignments;
    }

    public List<TaskAssignment> getAssignments() {
        return assignments;
    }

    public HardMediumSoftLongScore getScore() {
        return score;
    }

    public void setScore(HardMediumSoftLongScore score) {
        this.score = score;
    }
}
