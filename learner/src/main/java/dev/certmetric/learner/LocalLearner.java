package dev.certmetric.learner;

import dev.certmetric.config.CertmetricConfig;
import org.apache.flink.api.common.JobExecutionResult;
import org.apache.flink.api.common.JobStatus;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestOptions;
import org.apache.flink.configuration.TaskManagerOptions;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Stream;

/**
 * Runs the learner job on an in-process Flink MiniCluster (one per job): for the CLI's
 * {@code learn} and {@code demo} and for tests. {@link #close()} cancels a running job and is
 * idempotent; once the job ends its MiniCluster is gone. Checkpoints go to a temporary directory that
 * {@link #close()} removes, unless the Flink configuration names one.
 */
public final class LocalLearner implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(LocalLearner.class);
    private final JobClient client;
    private final CertmetricConfig config;
    /** The checkpoint directory this instance created (null: the caller's configuration names one). */
    private final Path checkpoints;
    private volatile boolean closed;
    /** When {@link #endedAndRead} first found the job ended with no snapshot read; 0 before. */
    private long endedWithoutSnapshotAt;
    /** How long {@link #endedAndRead} waits after the end for a final snapshot when none was read. */
    static final Duration FINAL_SNAPSHOT_GRACE = Duration.ofSeconds(5);

    private LocalLearner(JobClient client, CertmetricConfig config, Path checkpoints) {
        this.client = client;
        this.config = config;
        this.checkpoints = checkpoints;
    }

    /**
     * Starts the job; with a {@code range} it is bounded and finishes by itself.
     *
     * @param webUiPort 0 = no web UI, else the port of Flink's web UI on 127.0.0.1
     */
    public static LocalLearner start(CertmetricConfig config, EventRange range, int webUiPort) throws Exception {
        return start(config, range, webUiPort, new Configuration());
    }

    /**
     * As {@link #start(CertmetricConfig, EventRange, int)}, with {@code flink} settings added to the
     * MiniCluster's (e.g. a metric reporter).
     */
    public static LocalLearner start(CertmetricConfig config, EventRange range, int webUiPort, Configuration flink)
            throws Exception {
        Configuration conf = LearnerJob.localConfiguration(config);
        conf.addAll(flink);
        Path checkpoints = null;
        if (!conf.contains(CheckpointingOptions.CHECKPOINTS_DIRECTORY)) {
            // The MiniCluster's default storage, the JobManager's memory, refuses an operator's state above 5 MB,
            // which a worker's exemplar memory passes (10 classes x 1,000 events x 64 features): a job failed at
            // every checkpoint. Its checkpoints go to a directory of its own, removed on close.
            checkpoints = Files.createTempDirectory("certmetric-checkpoints");
            conf.set(CheckpointingOptions.CHECKPOINT_STORAGE, "filesystem");
            conf.set(CheckpointingOptions.CHECKPOINTS_DIRECTORY, checkpoints.toUri().toString());
        }
        conf.set(TaskManagerOptions.NUM_TASK_SLOTS, config.parallelism());
        conf.set(RestOptions.BIND_ADDRESS, "127.0.0.1");
        conf.set(RestOptions.ADDRESS, "127.0.0.1");
        StreamExecutionEnvironment env;
        if (webUiPort > 0) {
            conf.set(RestOptions.PORT, webUiPort);
            env = StreamExecutionEnvironment.createLocalEnvironmentWithWebUI(conf);
            env.setParallelism(config.parallelism());
        } else {
            env = StreamExecutionEnvironment.createLocalEnvironment(config.parallelism(), conf);
        }
        LearnerJob.build(env, config, range);
        JobClient client = env.executeAsync(LearnerJob.jobName(config));
        LOG.info("started {} as job {}", LearnerJob.jobName(config), client.getJobID());
        return new LocalLearner(client, config, checkpoints);
    }

    public JobClient client() {
        return client;
    }

    /** The job's status, or null once the MiniCluster is gone. */
    public JobStatus status() {
        try {
            return client.getJobStatus().get(5, TimeUnit.SECONDS);
        } catch (Exception e) {
            return null;
        }
    }

    /**
     * Whether the job has ended (finished, failed or cancelled) and {@code follower} has read every snapshot it
     * committed. Ended comes from the job's status, or, when the status cannot be read (null from {@link #status()},
     * which a busy or just-started cluster can give), from its result. A follower that has read no snapshot yet gets
     * {@link #FINAL_SNAPSHOT_GRACE} more after the end for the final one to become visible.
     */
    public boolean endedAndRead(SnapshotFollower follower) {
        JobStatus s = status();
        boolean ended = s != null ? s.isGloballyTerminalState() : client.getJobExecutionResult().isDone();
        if (!ended || !follower.caughtUp()) {
            return false;
        }
        if (follower.last() != null) {
            return true;
        }
        if (endedWithoutSnapshotAt == 0) {
            endedWithoutSnapshotAt = System.nanoTime();
        }
        return System.nanoTime() - endedWithoutSnapshotAt > FINAL_SNAPSHOT_GRACE.toNanos();
    }

    /** Waits for a bounded job to finish; rethrows its failure. */
    public JobExecutionResult await(Duration timeout) throws Exception {
        try {
            return client.getJobExecutionResult().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            throw e.getCause() instanceof Exception ex ? ex : e;
        } catch (TimeoutException e) {
            throw new TimeoutException("job " + LearnerJob.jobName(config) + " did not finish within " + timeout
                    + " (status " + status() + ")");
        }
    }

    /** Cancels the job if it still runs. Idempotent. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            JobStatus s = status();
            if (s != null && !s.isGloballyTerminalState()) {
                client.cancel().get(30, TimeUnit.SECONDS);
                client.getJobExecutionResult().handle((r, e) -> null).get(30, TimeUnit.SECONDS);
            }
        } catch (Exception e) {
            LOG.debug("cancelling {}: {}", LearnerJob.jobName(config), e.toString());
        }
        if (checkpoints != null) {
            try (Stream<Path> files = Files.walk(checkpoints)) {
                files.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
            } catch (IOException | UncheckedIOException e) {
                LOG.debug("removing {}: {}", checkpoints, e.toString());
            }
        }
    }
}
