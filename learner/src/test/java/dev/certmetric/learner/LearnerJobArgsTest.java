package dev.certmetric.learner;

import dev.certmetric.config.BadInputException;
import dev.certmetric.config.CertmetricConfig;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.ExternalizedCheckpointRetention;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class LearnerJobArgsTest {
    @Test
    void theJobLeavesTheRestartStrategyToTheClusterAndRetainsCheckpoints() {
        Configuration job = LearnerJob.flinkConfiguration(CertmetricConfig.defaults());
        assertFalse(job.contains(RestartStrategyOptions.RESTART_STRATEGY),
                "a job-level restart strategy would override the cluster's");
        assertEquals(ExternalizedCheckpointRetention.RETAIN_ON_CANCELLATION,
                job.get(CheckpointingOptions.EXTERNALIZED_CHECKPOINT_RETENTION));
        Configuration local = LearnerJob.localConfiguration(CertmetricConfig.defaults());
        assertEquals("exponential-delay", local.get(RestartStrategyOptions.RESTART_STRATEGY));
        assertEquals(Integer.MAX_VALUE, local.get(RestartStrategyOptions.RESTART_STRATEGY_EXPONENTIAL_DELAY_ATTEMPTS));
    }


    @Test
    void jobArgumentsParseLikeTheCli() {
        CertmetricConfig c = LearnerJob.parseArgs(new String[] {"--bootstrap", "h:1",
                "--parallelism", "3", "--set", "model.name=m2", "--set", "learner.sync-merged=false"});
        assertEquals("h:1", c.bootstrapServers());
        assertEquals(3, c.parallelism());
        assertEquals("m2", c.modelName());
        assertEquals(false, c.syncMergedModel());
        assertFalse(c.fromScratch(), "a fresh job continues the last snapshot unless told otherwise");
        assertTrue(LearnerJob.parseArgs(new String[] {"--from-scratch", "--parallelism", "2"}).fromScratch());
        BadInputException e = assertThrows(BadInputException.class,
                () -> LearnerJob.parseArgs(new String[] {"--set", "learner.sync-merged=maybe"}));
        assertTrue(e.getMessage().contains("learner.sync-merged") && e.getMessage().contains("true | false"));
    }
}
