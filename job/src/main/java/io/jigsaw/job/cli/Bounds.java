package io.jigsaw.job.cli;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * The valid range of a numeric option (a number, a whole number, a list of them, or a duration in
 * seconds). {@link OptionBounds} checks it before a command does any work and writes it into the
 * option's {@code --help}, so the range is stated in one place.
 */
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.FIELD)
@interface Bounds {

    double min() default Double.NEGATIVE_INFINITY;

    /** {@code > min} instead of {@code ≥ min}: for rates, speeds and shares, where 0 means nothing. */
    boolean minExclusive() default false;

    double max() default Double.POSITIVE_INFINITY;
}
