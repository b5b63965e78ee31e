package io.jigsaw.core.plan;

/**
 * Which per-request adaptations ({@link Adaptation}) the planner adds to its plans: the setting the
 * job's configuration and the CLI carry (here, in core, because the job jar carries no planner).
 */
public enum AdaptationMode {
    NONE("none"), LADDER("ladder"), CASCADE("cascade"), BOTH("both");

    public final String cliName;

    AdaptationMode(String cliName) {
        this.cliName = cliName;
    }

    public boolean ladder() {
        return this == LADDER || this == BOTH;
    }

    public boolean cascade() {
        return this == CASCADE || this == BOTH;
    }

    public static AdaptationMode parse(String name) {
        for (AdaptationMode m : values()) {
            if (m.cliName.equals(name)) {
                return m;
            }
        }
        throw new IllegalArgumentException("unknown adaptation '" + name + "' (none, ladder, cascade, both)");
    }
}
