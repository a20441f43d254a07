package dev.certmetric.objective;

/**
 * Triplets (anchor, target, impostor) and pull pairs (anchor, target) as indices into a data
 * matrix. Immutable.
 */
public final class TripletSet {
    private final int[] anchor;
    private final int[] target;
    private final int[] impostor;
    private final int[] pullAnchor;
    private final int[] pullTarget;

    public TripletSet(int[] anchor, int[] target, int[] impostor, int[] pullAnchor, int[] pullTarget) {
        if (anchor.length != target.length || anchor.length != impostor.length
                || pullAnchor.length != pullTarget.length) {
            throw new IllegalArgumentException("index arrays of one kind must have equal lengths");
        }
        this.anchor = anchor.clone();
        this.target = target.clone();
        this.impostor = impostor.clone();
        this.pullAnchor = pullAnchor.clone();
        this.pullTarget = pullTarget.clone();
    }

    public int size() {
        return anchor.length;
    }

    public int pullSize() {
        return pullAnchor.length;
    }

    public int anchor(int t) {
        return anchor[t];
    }

    public int target(int t) {
        return target[t];
    }

    public int impostor(int t) {
        return impostor[t];
    }

    public int pullAnchor(int k) {
        return pullAnchor[k];
    }

    public int pullTarget(int k) {
        return pullTarget[k];
    }
}
