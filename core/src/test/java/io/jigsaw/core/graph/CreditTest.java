package io.jigsaw.core.graph;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class CreditTest {

    @Test
    void thirdsAddUpToExactlyOne() {
        Credit third = Credit.ONE.dividedBy(3);

        assertThat(third.plus(third).plus(third)).isEqualTo(Credit.ONE);
    }

    @Test
    void unevenSplitsAcrossBranchesRecombine() {
        Credit half = Credit.ONE.dividedBy(2);
        Credit sevenths = Credit.ZERO;
        for (int i = 0; i < 7; i++) {
            sevenths = sevenths.plus(half.dividedBy(7));
        }

        assertThat(sevenths.plus(half)).isEqualTo(Credit.ONE);
        assertThat(sevenths.compareTo(Credit.ONE)).isNegative();
    }
}
