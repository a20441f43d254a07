package dev.certmetric.train;

import java.util.Arrays;
import java.util.List;
import java.util.stream.IntStream;

/**
 * The k of the learner's k-NN vote and the depth of memory it votes on, chosen on the stream. The memory is read
 * in nested tiers (each class's newest d entries, for a few depths d), each giving its own neighbour list; every
 * candidate (tier, k) votes on every tested event, by the rule of {@code KnnClassifier.plurality} on the first k
 * neighbours of its tier's list; each keeps an exponentially decayed count of its hits (a horizon of about {@link #HORIZON}
 * events, so that after a drift the leader can change); the leader's vote is the prediction, chosen before the
 * event's own outcome counts (test, then train). The configured k leads first; a challenger takes over once
 * it leads by {@link #SWITCH_MARGIN}.
 * Mutable, not thread-safe, deterministic.
 */
final class VoteRace {
    /** Odd k up to 15: a wider neighbourhood pays on noisy streams, a narrow one on clean, fine-grained ones. */
    static final int[] CANDIDATES = {1, 3, 5, 7, 9, 11, 15};
    static final int HORIZON = 1_000;
    private static final double DECAY = 1 - 1.0 / HORIZON;
    /**
     * Decayed hits by which a challenger must lead before it takes over (1% of the horizon): without it a short
     * stream's first events, where every candidate scores on a handful of votes, hand the lead around. With four
     * tiers of seven k, 28 candidates race, so that one of them leads by chance more often than one of seven did
     * with a margin of 5: on the digits demo, k = 1 took the lead by such a margin and lost a held-out row.
     */
    static final double SWITCH_MARGIN = 10;

    /** Candidate k, ascending. */
    private final int[] ks;
    private final int tiers;
    private final double[] hits;
    private int leader;
    private final int[] predictions;
    /** Each candidate's vote on the distinct neighbours other than the event's copies: what its hits count. */
    private final int[] scored;
    private int[] distinctLabels = new int[0];
    private double[] distinctDistances = new double[0];
    private int[] votes = new int[0];
    private double[] nearest = new double[0];

    /**
     * A race of the candidates and the configured k, or of the configured k alone, on each of {@code tiers} tiers;
     * the configured k on the shallowest tier leads first.
     */
    VoteRace(int configuredK, boolean race, int tiers) {
        if (tiers < 1) {
            throw new IllegalArgumentException("a vote needs at least one tier, got " + tiers);
        }
        this.ks = IntStream.concat(race ? Arrays.stream(CANDIDATES) : IntStream.empty(), IntStream.of(configuredK))
                .distinct().sorted().toArray();
        this.tiers = tiers;
        this.leader = Arrays.binarySearch(ks, configuredK);
        this.hits = new double[tiers * ks.length];
        this.predictions = new int[tiers * ks.length];
        this.scored = new int[tiers * ks.length];
    }

    /** The largest candidate k: how many nearest neighbours a vote needs. */
    int maxK() {
        return ks[ks.length - 1];
    }

    /** The leader's k. */
    int k() {
        return ks[leader % ks.length];
    }

    /** The leader's tier. */
    int tier() {
        return leader / ks.length;
    }

    /**
     * The k to publish for races on disjoint shares of one stream (data-parallel learners with the same
     * candidates): the k of the leaders' (tier, k) when they agree, else of the leader whose hits summed over all
     * races are most.
     */
    static int merged(List<VoteRace> races) {
        VoteRace first = races.get(0);
        double[] sum = new double[first.hits.length];
        for (VoteRace r : races) {
            if (!Arrays.equals(r.ks, first.ks) || r.tiers != first.tiers) {
                throw new IllegalArgumentException("races over different candidates: " + Arrays.toString(r.ks) + " vs "
                        + Arrays.toString(first.ks));
            }
            for (int i = 0; i < sum.length; i++) {
                sum[i] += r.hits[i];
            }
        }
        int best = first.leader;
        for (VoteRace r : races) {
            if (sum[r.leader] > sum[best]) {
                best = r.leader;
            }
        }
        return first.ks[best % first.ks.length];
    }

    /** The decayed hits of each candidate, then the leader's index: what a checkpoint keeps. */
    double[] state() {
        double[] state = Arrays.copyOf(hits, hits.length + 1);
        state[hits.length] = leader;
        return state;
    }

    void restore(double[] state) {
        int leaderAt = state.length - 1;
        if (state.length != hits.length + 1 || state[leaderAt] < 0 || state[leaderAt] >= hits.length
                || state[leaderAt] != Math.rint(state[leaderAt])) {
            throw new IllegalArgumentException("k-race state of " + state.length + " values does not fit "
                    + ks.length + " candidates on " + tiers + " tiers");
        }
        System.arraycopy(state, 0, hits, 0, hits.length);
        leader = (int) state[leaderAt];
    }

    /**
     * The leader's prediction from each tier's nearest neighbours' classes and distances (nearest first,
     * {@code n[t]} of them); then every candidate's vote is scored against {@code truth}. The scored votes read
     * distinct neighbours only: they leave out those at distance zero, copies of the event, and those that
     * {@code repeats} flags as copies of a nearer neighbour of their class. On a stream that repeats its points a
     * copy of the event would always vote right for k = 1, and k neighbours would be fewer distinct points, so the
     * race would pick a k that remembers, or a k too large for the scorer, which answers from distinct exemplars.
     * The prediction itself counts every copy: a repeated point's label is evidence.
     */
    int predict(int[][] labels, double[][] distances, boolean[][] repeats, int[] n, int classes, int truth) {
        if (votes.length < classes) {
            votes = new int[classes];
            nearest = new double[classes];
        }
        for (int t = 0; t < tiers; t++) {
            int offset = t * ks.length;
            vote(labels[t], distances[t], n[t], classes, predictions, offset);
            int distinct = 0;
            boolean all = true;
            if (distinctLabels.length < n[t]) {
                distinctLabels = new int[n[t]];
                distinctDistances = new double[n[t]];
            }
            for (int s = 0; s < n[t]; s++) {
                if (distances[t][s] == 0 || repeats[t][s]) {
                    all = false;
                } else {
                    distinctLabels[distinct] = labels[t][s];
                    distinctDistances[distinct++] = distances[t][s];
                }
            }
            if (all) {
                System.arraycopy(predictions, offset, scored, offset, ks.length);
            } else {
                vote(distinctLabels, distinctDistances, distinct, classes, scored, offset);
            }
        }
        int predicted = predictions[leader];
        int best = leader;
        for (int i = 0; i < hits.length; i++) {
            hits[i] = DECAY * hits[i] + (scored[i] == truth ? 1 : 0);
            if (hits[i] > hits[best]) { // ascending: of tied challengers, the shallower tier and the smaller k
                best = i;
            }
        }
        if (hits[best] > hits[leader] + SWITCH_MARGIN) {
            leader = best;
        }
        return predicted;
    }

    /** Every candidate k's plurality vote on the first n neighbours of one list, into out[offset ...]. */
    private void vote(int[] labels, double[] distances, int n, int classes, int[] out, int offset) {
        Arrays.fill(votes, 0, classes, 0);
        int winner = -1;
        int next = 0;
        for (int s = 0; s < n && next < ks.length; s++) {
            int c = labels[s];
            if (votes[c]++ == 0) {
                nearest[c] = distances[s];
            }
            // Only c's standing improved, so the plurality winner is c or unchanged (ties: the class whose
            // nearest member is closer, then the smaller class, as plurality decides them).
            if (winner < 0 || votes[c] > votes[winner] || (votes[c] == votes[winner]
                    && (nearest[c] < nearest[winner] || (nearest[c] == nearest[winner] && c < winner)))) {
                winner = c;
            }
            while (next < ks.length && ks[next] == s + 1) {
                out[offset + next++] = winner;
            }
        }
        for (; next < ks.length; next++) {
            out[offset + next] = winner; // fewer neighbours than k: the vote of all of them (-1 for none)
        }
    }
}
