package dev.certmetric.learner;

import dev.certmetric.config.CertmetricConfig;
import dev.certmetric.kafka.KafkaClientProperties;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.errors.TopicExistsException;

import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Creates the job's output topics if they are missing, so the snapshots topic is compacted (a
 * broker's auto-creation would make it a plain one): snapshots compacted with {@code max.message.bytes}
 * = {@code snapshots.max-bytes}, dead letters plain, both with the broker's default replication. Existing topics are left as they are.
 */
public final class TopicSetup {
    private TopicSetup() {
    }

    /**
     * @throws IllegalStateException naming the bootstrap servers and the key that sets them, if the cluster does not
     *     answer within 30 s or refuses
     */
    public static void ensureOutputTopics(CertmetricConfig config) throws InterruptedException {
        Properties p = new Properties();
        p.putAll(config.kafkaPropertyMap());
        p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, config.bootstrapServers());
        p.putAll(LearnerJob.NO_TELEMETRY);
        try (Admin admin = Admin.create(p)) {
            Set<String> existing = admin.listTopics().names().get(30, TimeUnit.SECONDS);
            List<NewTopic> missing = new ArrayList<>();
            if (!existing.contains(config.snapshotsTopic())) {
                missing.add(new NewTopic(config.snapshotsTopic(), java.util.Optional.of(1), java.util.Optional.empty())
                        .configs(KafkaClientProperties.snapshotTopicConfig(config.snapshotMaxBytes())));
            }
            if (!existing.contains(config.deadLettersTopic())) {
                missing.add(new NewTopic(config.deadLettersTopic(), java.util.Optional.of(1), java.util.Optional.empty()));
            }
            if (missing.isEmpty()) {
                return;
            }
            try {
                admin.createTopics(missing).all().get(30, TimeUnit.SECONDS);
            } catch (ExecutionException e) {
                if (!(e.getCause() instanceof TopicExistsException)) {
                    throw e;
                }
            }
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("cannot check or create the learner's topics on " + config.bootstrapServers()
                    + " (kafka.bootstrap-servers): " + (e instanceof TimeoutException ? "no answer within 30 s"
                    : e.getCause().getMessage()), e);
        }
    }
}
