package dev.certmetric.learner;

import dev.certmetric.config.BadInputException;
import dev.certmetric.config.CertmetricConfig;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class LearnerJobArgsTest {
    @Test
    void jobArgumentsParseLikeTheCli() {
        CertmetricConfig c = LearnerJob.parseArgs(new String[] {"--bootstrap", "h:1",
                "--parallelism", "3", "--set", "model.name=m2", "--set", "learner.sync-merged=false"});
        assertEquals("h:1", c.bootstrapServers());
        assertEquals(3, c.parallelism());
        assertEquals("m2", c.modelName());
        assertEquals(false, c.syncMergedModel());
        BadInputException e = assertThrows(BadInputException.class,
                () -> LearnerJob.parseArgs(new String[] {"--set", "learner.sync-merged=maybe"}));
        assertTrue(e.getMessage().contains("learner.sync-merged") && e.getMessage().contains("true | false"));
    }
}
