package dev.certmetric.scorer;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Issue 10, row 6: queries whose preprocessing overflows get an error answer, never "Infinity" or "NaN". */
class ScorerNumericsTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final Scorer scorer = new Scorer(new SimpleMeterRegistry());
    private final ServingModel model = ServingModel.of(ScorerFixtures.iris("iris", 1));

    private JsonNode answer(String request) throws Exception {
        Scorer.Answer a = scorer.answer(request.getBytes(StandardCharsets.UTF_8), model, "http");
        String text = a.text();
        assertFalse(text.contains("Infinity") || text.contains("NaN"), text);
        return JSON.readTree(text);
    }

    @Test
    void hugeQueryFeaturesGetAnErrorAnswer() throws Exception {
        for (String v : new String[] {"1e160", "-1e160", "1e200", "1.7e308"}) {
            JsonNode a = answer("{\"id\":\"q\",\"features\":[" + v + ",1,1,1]}");
            assertTrue(a.has("error"), a.toString());
            assertTrue(a.get("error").asText().contains("features"), a.toString());
            JsonNode d = answer("{\"id\":\"d\",\"a\":[" + v + ",1,1,1],\"b\":[1,1,1,1]}");
            assertTrue(d.has("error"), d.toString());
        }
    }

    @Test
    void extremeButBoundedQueriesGetFiniteAnswers() throws Exception {
        for (String v : new String[] {"1e140", "-1e140", "1e-300", "4.9e-324", "1e100"}) {
            JsonNode a = answer("{\"id\":\"q\",\"features\":[" + v + "," + v + ",1,0]}");
            assertFalse(a.has("error"), a.toString());
            assertTrue(a.get("neighbors").get(0).get("distance").isNumber(), a.toString());
            assertTrue(a.get("certified_radius").isNumber() || a.get("certified_radius").isNull(), a.toString());
        }
    }
}
