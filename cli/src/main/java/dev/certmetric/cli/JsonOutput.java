package dev.certmetric.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.certmetric.config.BadInputException;

import java.io.IOException;
import java.nio.file.Path;

/** Writes a command's {@code --json} result, indented; a file that cannot be written is bad input naming it. */
final class JsonOutput {
    private static final ObjectMapper MAPPER = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private JsonOutput() {
    }

    static void write(Path json, Object value) {
        try {
            MAPPER.writeValue(json.toFile(), value);
        } catch (IOException e) {
            throw new BadInputException("--json: cannot write " + json + ": " + e.getMessage(), e);
        }
    }
}
