package io.jigsaw.job.cli;

import picocli.CommandLine;
import picocli.CommandLine.Model.OptionSpec;

import java.lang.reflect.Field;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.Type;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * Checks the options that carry {@link Bounds} and says their range: a value out of range is a usage
 * error naming the option, what was expected and what was found, before the command starts any work.
 */
final class OptionBounds {

    private OptionBounds() {
    }

    /** The option's bounds, if its field declares them. */
    static Optional<Bounds> of(OptionSpec option) {
        return option.userObject() instanceof Field f ? Optional.ofNullable(f.getAnnotation(Bounds.class)) : Optional.empty();
    }

    /** "a whole number ≥ 1", "a number > 0 and ≤ 1", "a duration > 0 s (ISO-8601, e.g. PT5S)". */
    static String describe(OptionSpec option, Bounds b) {
        Kind kind = Kind.of(option);
        StringBuilder s = new StringBuilder(kind.noun);
        boolean lower = b.min() != Double.NEGATIVE_INFINITY;
        boolean upper = b.max() != Double.POSITIVE_INFINITY;
        if (lower && upper && !b.minExclusive() && kind == Kind.WHOLE) {
            s.append(" from ").append(number(b.min())).append(" to ").append(number(b.max()));
        } else {
            if (lower) {
                s.append(b.minExclusive() ? " > " : " ≥ ").append(number(b.min()));
            }
            if (upper) {
                s.append(lower ? " and" : "").append(" ≤ ").append(number(b.max()));
            }
        }
        if (kind == Kind.DURATION) {
            s.append(" s (ISO-8601, e.g. PT5S)");
        }
        return s.toString();
    }

    /** Every bounded option of the command just parsed and of its parents, as a usage error at the first one out of range. */
    static void check(CommandLine.ParseResult parsed) {
        for (CommandLine cmd : parsed.asCommandLineList()) {
            for (OptionSpec option : cmd.getCommandSpec().options()) {
                of(option).ifPresent(b -> {
                    Object value = option.getValue();
                    Collection<?> values = value instanceof Collection<?> c ? c : value == null ? List.of() : List.of(value);
                    for (Object v : values) {
                        if (v != null && !within(b, asDouble(v))) {
                            throw new CommandLine.ParameterException(cmd, option.longestName() + ": expected "
                                    + describe(option, b) + ", found " + shown(v));
                        }
                    }
                });
            }
        }
    }

    private static boolean within(Bounds b, double x) {
        return !Double.isNaN(x) && (b.minExclusive() ? x > b.min() : x >= b.min()) && x <= b.max();
    }

    private static double asDouble(Object v) {
        return v instanceof Duration d ? d.toNanos() / 1e9 : ((Number) v).doubleValue();
    }

    private static String shown(Object v) {
        return v instanceof Double d ? number(d) : String.valueOf(v);
    }

    private static String number(double x) {
        return x == Math.rint(x) && Math.abs(x) < 1e15 ? String.valueOf((long) x) : String.format(Locale.ROOT, "%s", x);
    }

    private enum Kind {
        WHOLE("a whole number"), NUMBER("a number"), DURATION("a duration");

        final String noun;

        Kind(String noun) {
            this.noun = noun;
        }

        static Kind of(OptionSpec option) {
            Class<?> type = option.type();
            if (Collection.class.isAssignableFrom(type) && option.userObject() instanceof Field f
                    && f.getGenericType() instanceof ParameterizedType p) {
                Type element = p.getActualTypeArguments()[0];
                type = element instanceof Class<?> c ? c : Object.class;
            }
            if (type == Duration.class) {
                return DURATION;
            }
            boolean whole = type == int.class || type == Integer.class || type == long.class || type == Long.class;
            return whole ? WHOLE : NUMBER;
        }
    }
}
