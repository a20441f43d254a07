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

    /** The job jar has no protobuf for pushed client metrics: no client of the job may turn the push on. */
    @Test
    void everyKafkaClientOfTheJobHasTelemetryPushOff() {
        CertmetricConfig c = LearnerJob.parseArgs(new String[] {"--set", "kafka.properties.enable.metrics.push=true"});
        assertEquals("true", c.kafkaPropertyMap().get("enable.metrics.push"), "the pass-through reaches the config");
        assertEquals("false", LearnerJob.clientProperties(c).getProperty("enable.metrics.push"));
        assertEquals("false", LearnerJob.snapshotProducerConfig(c).getProperty("enable.metrics.push"));
        assertEquals("false", SnapshotTopicReader.consumerProperties("h:1", c.kafkaPropertyMap())
                .getProperty("enable.metrics.push"));
    }
}
