package io.jigsaw.planner.online;

import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

class ReplanRuleTest {

    /** Headroom 20 %, shrink 30 %, 10 s cool-down: a plan made at estimate 100 is for 120 req/s. */
    private final ReplanRule rule = new ReplanRule(0.2, 0.3, Duration.ofSeconds(10), 1);

    @Test
    void plansForTheEstimatePlusHeadroomButNeverForNothing() {
        assertThat(rule.target(100)).isEqualTo(120.0);
        assertThat(rule.target(0)).isEqualTo(1.0);
    }

    @Test
    void staysInsideTheBand() {
        assertThat(rule.decide(120, 100, 0)).isEqualTo(ReplanRule.Move.STAY);
        assertThat(rule.decide(120, 109, 60_000)).isEqualTo(ReplanRule.Move.STAY);
        assertThat(rule.decide(120, 71, 60_000)).isEqualTo(ReplanRule.Move.STAY);
    }

    @Test
    void goesUpOnceHalfTheHeadroomIsUsedEvenRightAfterAPlan() {
        assertThat(rule.upperEdge(120)).isEqualTo(120 / 1.1);
        assertThat(rule.decide(120, 110, 0)).isEqualTo(ReplanRule.Move.UP);
    }

    @Test
    void goesDownOnlyWhenANewPlanIsMuchSmallerAndTheCooldownIsOver() {
        assertThat(rule.decide(120, 69, 60_000)).isEqualTo(ReplanRule.Move.DOWN);
        assertThat(rule.decide(120, 69, 5_000)).isEqualTo(ReplanRule.Move.STAY);
    }

    @Test
    void aDemandWobblingAroundOneValueDoesNotFlap() {
        double planned = rule.target(100);
        int moves = 0;
        for (int i = 0; i < 1_000; i++) {
            double estimate = 100 + 8 * Math.sin(i / 3.0);
            ReplanRule.Move m = rule.decide(planned, estimate, 60_000);
            if (m != ReplanRule.Move.STAY) {
                moves++;
                planned = rule.target(estimate);
            }
        }
        assertThat(moves).isZero();
    }
}
