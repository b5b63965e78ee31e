package io.jigsaw.core.stats;

import java.util.Arrays;

/**
 * A growable array of doubles: traces and simulations hold millions of times, and a list of boxed
 * doubles would cost about five times the memory.
 */
public final class DoubleSeries {

    private double[] a = new double[256];
    private int n;

    public void add(double x) {
        if (n == a.length) {
            a = Arrays.copyOf(a, n * 2);
        }
        a[n++] = x;
    }

    public int size() {
        return n;
    }

    public double[] toArray() {
        return Arrays.copyOf(a, n);
    }
}
