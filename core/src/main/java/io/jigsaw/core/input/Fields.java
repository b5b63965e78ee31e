package io.jigsaw.core.input;

import com.fasterxml.jackson.databind.JsonNode;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Set;

/**
 * Typed, path-aware reads from a parsed YAML/JSON tree: every error says which file, which field
 * (e.g. {@code tasks[1].variants[0].accuracy}) and what was expected. Unknown keys are errors, so a
 * typo such as {@code latency_slo} is caught instead of silently defaulted.
 */
public record Fields(Path file, String path, JsonNode node) {

    public static Fields root(Path file, JsonNode node) {
        return new Fields(file, "", node);
    }

    public Fields field(String name) {
        return new Fields(file, path.isEmpty() ? name : path + "." + name, node.path(name));
    }

    public boolean present() {
        return !node.isMissingNode() && !node.isNull();
    }

    public InputException error(String problem) {
        return new InputException(file, path.isEmpty() ? "" : path, problem);
    }

    public Fields requireObject(Set<String> allowed) {
        if (!node.isObject()) {
            throw error("expected a mapping with keys " + allowed + ", found " + describe());
        }
        Iterator<String> names = node.fieldNames();
        while (names.hasNext()) {
            String n = names.next();
            if (!allowed.contains(n)) {
                throw field(n).error("unknown key; expected one of " + allowed);
            }
        }
        return this;
    }

    public String text() {
        if (!node.isTextual() || node.asText().isBlank()) {
            throw error("expected a non-empty string, found " + describe());
        }
        return node.asText();
    }

    public String text(String fallback) {
        return present() ? text() : fallback;
    }

    public double number() {
        if (!node.isNumber()) {
            throw error("expected a number, found " + describe());
        }
        return node.asDouble();
    }

    public double positive() {
        double v = number();
        if (!(v > 0)) {
            throw error("expected a number > 0, found " + v);
        }
        return v;
    }

    public int integer() {
        if (!node.canConvertToInt() || !node.isIntegralNumber()) {
            throw error("expected an integer, found " + describe());
        }
        return node.asInt();
    }

    public List<Fields> list() {
        if (!node.isArray()) {
            throw error("expected a list, found " + describe());
        }
        List<Fields> out = new ArrayList<>();
        for (int i = 0; i < node.size(); i++) {
            out.add(new Fields(file, path + "[" + i + "]", node.get(i)));
        }
        return out;
    }

    /** A list of strings; a single string is read as a list of one (YAML's {@code after: detect}). */
    public List<String> texts() {
        if (!present()) {
            return List.of();
        }
        if (node.isTextual()) {
            return List.of(text());
        }
        return list().stream().map(Fields::text).toList();
    }

    public List<String> keys() {
        List<String> out = new ArrayList<>();
        node.fieldNames().forEachRemaining(out::add);
        return out;
    }

    private String describe() {
        if (node.isMissingNode()) {
            return "nothing (the key is missing)";
        }
        String t = node.toString();
        return node.getNodeType().name().toLowerCase() + " " + (t.length() > 40 ? t.substring(0, 40) + "..." : t);
    }
}
