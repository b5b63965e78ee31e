package io.jigsaw.core.input;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;

import java.io.IOException;
import java.nio.file.Path;

/** Parses a YAML or JSON file into a tree, turning syntax errors into file:line messages. */
public final class TreeFiles {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

    private TreeFiles() {
    }

    public static Fields yaml(Path file) {
        return parse(YAML, file, "YAML");
    }

    public static Fields json(Path file) {
        return parse(JSON, file, "JSON");
    }

    private static Fields parse(ObjectMapper mapper, Path file, String kind) {
        try {
            JsonNode node = mapper.readTree(file.toFile());
            if (node == null || node.isMissingNode()) {
                throw new InputException(file, "", "empty file; expected a " + kind + " document");
            }
            return Fields.root(file, node);
        } catch (JsonProcessingException e) {
            int line = e.getLocation() == null ? 0 : e.getLocation().getLineNr();
            throw new InputException(file.toString(), "line " + line, "not valid " + kind + ": " + e.getOriginalMessage(), e);
        } catch (IOException e) {
            throw new InputException(file.toString(), "", "cannot read: " + e.getMessage(), e);
        }
    }
}
