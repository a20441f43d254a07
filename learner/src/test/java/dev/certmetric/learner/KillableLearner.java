package dev.certmetric.learner;

import dev.certmetric.config.CertmetricConfig;
import org.apache.flink.api.common.JobID;
import org.apache.flink.api.common.JobStatus;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.runtime.jobgraph.JobGraph;
import org.apache.flink.runtime.jobmaster.JobResult;
import org.apache.flink.runtime.minicluster.MiniCluster;
import org.apache.flink.runtime.minicluster.MiniClusterConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * The learner job on a MiniCluster of one TaskManager that the test can kill: a real failure injected
 * from outside the job (the TaskManager and every task on it are gone), so production code needs no hook.
 */
final class KillableLearner implements AutoCloseable {
    private final MiniCluster cluster;
    private final JobID job;

    private KillableLearner(MiniCluster cluster, JobID job) {
        this.cluster = cluster;
        this.job = job;
    }

    static KillableLearner start(CertmetricConfig config, EventRange range) throws Exception {
        Configuration conf = LearnerJob.localConfiguration(config);
        MiniCluster cluster = new MiniCluster(new MiniClusterConfiguration.Builder().setConfiguration(conf)
                .setNumTaskManagers(1).setNumSlotsPerTaskManager(config.parallelism()).build());
        cluster.start();
        StreamExecutionEnvironment env = StreamExecutionEnvironment.createLocalEnvironment(config.parallelism(), conf);
        LearnerJob.build(env, config, range);
        JobGraph graph = env.getStreamGraph().getJobGraph();
        return new KillableLearner(cluster, cluster.submitJob(graph).get(30, TimeUnit.SECONDS).getJobID());
    }

    /** Terminates the only TaskManager and starts a fresh one: the job must restore from its last checkpoint. */
    void killTaskManager() throws Exception {
        cluster.terminateTaskManager(0).get(30, TimeUnit.SECONDS);
        cluster.startTaskManager();
    }

    /** Waits for the bounded job to finish; fails if it did not succeed. */
    void await(Duration timeout) throws Exception {
        JobResult r = cluster.requestJobResult(job).get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        if (!r.isSuccess()) {
            throw new AssertionError("job failed", r.getSerializedThrowable().orElse(null));
        }
    }

    /** Whether the job went through a restart (the kill was noticed and the job recovered). */
    boolean restarted() throws Exception {
        return cluster.getArchivedExecutionGraph(job).get(30, TimeUnit.SECONDS)
                .getStatusTimestamp(JobStatus.RESTARTING) > 0;
    }

    @Override
    public void close() throws Exception {
        cluster.close();
    }
}
