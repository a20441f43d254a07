package dev.certmetric.learner;

import org.apache.flink.api.common.typeinfo.TypeInformation;

/** The merged metric of a committed snapshot, broadcast back to the data-parallel workers. A Flink POJO. */
public class ModelSync {
    public long version;
    public int q;
    public int p;
    /** L, q x p row-major. */
    public double[] l;
    /** The settings it was learned with (a worker adopts it into its candidate with these). */
    public double mu;
    public double lambda;
    public double tau;
    public double learningRate;

    public ModelSync() {
    }

    public ModelSync(long version, int q, int p, double[] l, double mu, double lambda, double tau, double learningRate) {
        this.version = version;
        this.q = q;
        this.p = p;
        this.l = l;
        this.mu = mu;
        this.lambda = lambda;
        this.tau = tau;
        this.learningRate = learningRate;
    }

    public static final TypeInformation<ModelSync> TYPE = TypeInformation.of(ModelSync.class);
}
