package io.jigsaw.core.graph;

/**
 * An exact fraction of one request. Every piece of a request carries one; a task splits its piece's
 * credit evenly over its children and then over the copies it sends each child, so the credit that
 * reaches a task is fixed by the graph alone (see {@link Graph#creditInto}) whatever the fan-out
 * counts were. A join is complete when its credits add up to that figure, and a request when its
 * leaves' credits add up to one: exact arithmetic, because 1/3 + 1/3 + 1/3 must be 1.
 */
public record Credit(long numerator, long denominator) implements Comparable<Credit> {

    public static final Credit ZERO = new Credit(0, 1);
    public static final Credit ONE = new Credit(1, 1);

    public Credit {
        if (denominator <= 0 || numerator < 0) {
            throw new IllegalArgumentException("credit must be a non-negative fraction: " + numerator + "/" + denominator);
        }
        long g = gcd(numerator, denominator);
        numerator /= g;
        denominator /= g;
    }

    public Credit plus(Credit other) {
        long lcm = Math.multiplyExact(denominator / gcd(denominator, other.denominator), other.denominator);
        return new Credit(Math.addExact(Math.multiplyExact(numerator, lcm / denominator),
                Math.multiplyExact(other.numerator, lcm / other.denominator)), lcm);
    }

    public Credit dividedBy(long parts) {
        if (parts <= 0) {
            throw new IllegalArgumentException("cannot split credit into " + parts + " parts");
        }
        return new Credit(numerator, Math.multiplyExact(denominator, parts));
    }

    public double value() {
        return (double) numerator / denominator;
    }

    @Override
    public int compareTo(Credit other) {
        return Long.compare(Math.multiplyExact(numerator, other.denominator), Math.multiplyExact(other.numerator, denominator));
    }

    @Override
    public String toString() {
        return numerator + "/" + denominator;
    }

    private static long gcd(long a, long b) {
        while (b != 0) {
            long t = a % b;
            a = b;
            b = t;
        }
        return a == 0 ? 1 : a;
    }
}
