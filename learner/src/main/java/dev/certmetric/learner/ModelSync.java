package dev.certmetric.learner;

import org.apache.flink.api.common.typeinfo.TypeInformation;

/** The merged metric of a committed snapshot, broadcast back to the data-parallel workers. A Flink POJO. */
public class ModelSync {
    public long version;
    public int q;
    public int p;
    /** L, q x p row-major. */
    public double[] l;

    public ModelSync() {
    }

    public ModelSync(long version, int q, int p, double[] l) {
        this.version = version;
        this.q = q;
        this.p = p;
        this.l = l;
    }

    public static final TypeInformation<ModelSync> TYPE = TypeInformation.of(ModelSync.class);
}
