package io.jigsaw.bench;

/** A benchmark's {@code --key value} arguments. */
record BenchArgs(String[] args) {

    /** @param fallback the value when {@code key} is absent; null: it is required */
    String get(String key, String fallback) {
        for (int i = 0; i + 1 < args.length; i++) {
            if (args[i].equals(key)) {
                return args[i + 1];
            }
        }
        if (fallback == null) {
            throw new IllegalArgumentException("missing " + key);
        }
        return fallback;
    }
}
