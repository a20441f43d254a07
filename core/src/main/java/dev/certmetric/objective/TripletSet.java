package dev.certmetric.objective;

/**
 * Triplets (anchor i, target j, impostor l) over the rows of a data matrix, stored as pairs: the
 * target pairs (i, j), which are also the pull set P, the impostor pairs (i, l), and each triplet
 * as one target pair and one impostor pair with the same anchor. Batch optimisers then compute a
 * distance once per pair rather than once per triplet. Immutable.
 */
public final class TripletSet {
    private final int[] targetAnchor;
    private final int[] target;
    private final int[] impostorAnchor;
    private final int[] impostor;
    private final int[] tripletTargetPair;
    private final int[] tripletImpostorPair;

    /**
     * @param targetAnchor, target the target pairs (i, j), also the pull set
     * @param impostorAnchor, impostor the impostor pairs (i, l)
     * @param tripletTargetPair, tripletImpostorPair per triplet, the indices of its two pairs
     */
    public TripletSet(int[] targetAnchor, int[] target, int[] impostorAnchor, int[] impostor,
                      int[] tripletTargetPair, int[] tripletImpostorPair) {
        if (targetAnchor.length != target.length || impostorAnchor.length != impostor.length
                || tripletTargetPair.length != tripletImpostorPair.length) {
            throw new IllegalArgumentException("index arrays of one kind must have equal lengths");
        }
        for (int t = 0; t < tripletTargetPair.length; t++) {
            if (targetAnchor[tripletTargetPair[t]] != impostorAnchor[tripletImpostorPair[t]]) {
                throw new IllegalArgumentException("triplet " + t + " joins pairs with different anchors");
            }
        }
        this.targetAnchor = targetAnchor.clone();
        this.target = target.clone();
        this.impostorAnchor = impostorAnchor.clone();
        this.impostor = impostor.clone();
        this.tripletTargetPair = tripletTargetPair.clone();
        this.tripletImpostorPair = tripletImpostorPair.clone();
    }

    /** Number of triplets |T|. */
    public int size() {
        return tripletTargetPair.length;
    }

    /** Number of target (pull) pairs |P|. */
    public int pullSize() {
        return target.length;
    }

    public int impostorPairs() {
        return impostor.length;
    }

    public int pullAnchor(int pair) {
        return targetAnchor[pair];
    }

    public int pullTarget(int pair) {
        return target[pair];
    }

    public int impostorAnchor(int pair) {
        return impostorAnchor[pair];
    }

    public int impostorOf(int pair) {
        return impostor[pair];
    }

    public int targetPair(int triplet) {
        return tripletTargetPair[triplet];
    }

    public int impostorPair(int triplet) {
        return tripletImpostorPair[triplet];
    }

    public int anchor(int triplet) {
        return targetAnchor[tripletTargetPair[triplet]];
    }

    public int target(int triplet) {
        return target[tripletTargetPair[triplet]];
    }

    public int impostor(int triplet) {
        return impostor[tripletImpostorPair[triplet]];
    }
}
