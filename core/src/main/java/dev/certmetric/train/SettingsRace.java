package dev.certmetric.train;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/**
 * Picks a stream's settings on the stream itself: a population of {@link StreamingLearner}s, one per
 * candidate of {@link RaceSettings}, all test-then-train every event, and successive halving drops the
 * worse half at event budgets that double (population 6: 6 -> 3 at the first budget, 3 -> 2 at twice
 * it, 2 -> 1 at four times it) until one leader is left, which then runs alone at the normal cost.
 * Doubling keeps the race's extra work bounded (with budget b and population n at most about n b + 2b
 * candidate-events beyond the leader's own) while the last, closest calls are made on the most events.
 *
 * <p>Score = prequential accuracy + w * certified accuracy, both over the events since the race
 * began; certified accuracy counts, among the events whose radius was computed (one in
 * {@link RaceSettings#RACING_CERTIFY_EVERY} while racing, then the configured certify-every), those
 * predicted correctly with a radius of at least the configured one. Alive
 * candidates have seen the same events, so their scores compare like for like. Ties go to the earlier
 * candidate (the configured settings are first). Deterministic given the event sequence.
 *
 * <p>A race of one ({@link RaceSettings#off}) is exactly its learner. Mutable and single-threaded,
 * like the learner; checkpointed whole by {@link SettingsRaceCodec}.
 */
public final class SettingsRace {
    /**
     * One candidate's record since the race began.
     *
     * @param certifyTested tested events whose certified radius was computed
     * @param certifiedCorrect of those, predicted correctly with radius >= the race's radius
     * @param eliminatedAt the race's event count at which it was dropped; 0 = alive
     */
    public record Standing(int index, LearnerSettings settings, long events, long tested, long correct,
                           long certifyTested, long certifiedCorrect, long eliminatedAt) {
        public boolean alive() {
            return eliminatedAt == 0;
        }

        public double accuracy() {
            return tested == 0 ? 0 : (double) correct / tested;
        }

        public double certifiedAccuracy() {
            return certifyTested == 0 ? 0 : (double) certifiedCorrect / certifyTested;
        }

        public double score(double certifiedWeight) {
            return accuracy() + certifiedWeight * certifiedAccuracy();
        }
    }

    /** Candidate i: its learner (null once dropped) and counts. */
    private static final class Entry {
        StreamingLearner learner;
        long tested;
        long correct;
        long certifyTested;
        long certifiedCorrect;
        long eliminatedAt;
    }

    private final RaceSettings settings;
    private final Entry[] entries;
    private final StreamingLearner.Outcome[] outcomes;
    private long events;
    private int leader;

    public SettingsRace(RaceSettings settings, int p) {
        this(settings, new Entry[settings.population()], 0);
        for (int i = 0; i < entries.length; i++) {
            entries[i] = new Entry();
            entries[i].learner = new StreamingLearner(settings.candidates().get(i), p);
        }
        certifyAsRaced();
    }

    private SettingsRace(RaceSettings settings, Entry[] entries, long events) {
        this.settings = settings;
        this.entries = entries;
        this.outcomes = new StreamingLearner.Outcome[entries.length];
        this.events = events;
    }

    /** A race of one around an existing learner (e.g. one restored from a checkpoint written before races). */
    public static SettingsRace of(StreamingLearner learner) {
        Entry e = new Entry();
        e.learner = learner;
        e.tested = learner.counters().tested();
        e.correct = learner.counters().correct();
        return new SettingsRace(RaceSettings.off(learner.settings()), new Entry[] {e}, learner.events());
    }

    /** Every alive candidate tests then trains on the event; returns the leader's outcome. */
    public StreamingLearner.Outcome testThenTrain(double[] raw, String label, long timestamp) {
        events++;
        for (int i = 0; i < entries.length; i++) {
            Entry e = entries[i];
            if (e.learner == null) {
                continue;
            }
            StreamingLearner.Outcome o = e.learner.testThenTrain(raw, label, timestamp);
            outcomes[i] = o;
            if (o.tested()) {
                e.tested++;
                if (o.correct()) {
                    e.correct++;
                }
                if (!Double.isNaN(o.certifiedRadius())) {
                    e.certifyTested++;
                    if (o.correct() && o.certifiedRadius() >= settings.certifiedRadius()) {
                        e.certifiedCorrect++;
                    }
                }
            }
        }
        if (entries.length > 1 && alive() > 1) {
            if (settings.isHalvingPoint(events)) {
                halve();
            }
            leader = best(standings(), settings.certifiedWeight());
            if (decided()) {
                certifyAsRaced();
            }
        }
        return outcomes[leader];
    }

    /** Alive candidates certify at the racing rate until the race is decided, then at their configured one. */
    private void certifyAsRaced() {
        for (Entry e : entries) {
            if (e.learner != null) {
                e.learner.certifyEvery(decided() ? e.learner.settings().certifyEvery() : settings.racingCertifyEvery());
            }
        }
    }

    private void halve() {
        List<Standing> ranked = new ArrayList<>(standings().stream().filter(Standing::alive).toList());
        ranked.sort(order(settings.certifiedWeight()));
        int keep = (ranked.size() + 1) / 2;
        for (Standing s : ranked.subList(keep, ranked.size())) {
            Entry e = entries[s.index()];
            e.learner = null;
            e.eliminatedAt = events;
        }
    }

    /** Best score first, then the earlier candidate. */
    private static Comparator<Standing> order(double certifiedWeight) {
        return Comparator.comparingDouble((Standing s) -> -s.score(certifiedWeight)).thenComparingInt(Standing::index);
    }

    /**
     * The index of the best alive candidate of these standings (a race's, or several races' combined
     * by {@link #combine}).
     */
    public static int best(List<Standing> standings, double certifiedWeight) {
        return standings.stream().filter(Standing::alive).min(order(certifiedWeight))
                .orElseThrow(() -> new IllegalArgumentException("no alive candidate")).index();
    }

    /**
     * Standings of races over the same candidates on disjoint shares of a stream (data-parallel
     * workers), summed per candidate: counts add, so accuracies are event-weighted; a candidate is
     * alive if it is alive in any race.
     */
    public static List<Standing> combine(List<List<Standing>> races) {
        List<Standing> first = races.get(0);
        List<Standing> out = new ArrayList<>(first.size());
        for (int i = 0; i < first.size(); i++) {
            LearnerSettings s = first.get(i).settings();
            long events = 0;
            long tested = 0;
            long correct = 0;
            long certifyTested = 0;
            long certifiedCorrect = 0;
            long eliminatedAt = Long.MAX_VALUE;
            for (List<Standing> race : races) {
                Standing r = race.get(i);
                if (!r.settings().equals(s)) {
                    throw new IllegalArgumentException("races over different candidates: " + r.settings() + " vs " + s);
                }
                events += r.events();
                tested += r.tested();
                correct += r.correct();
                certifyTested += r.certifyTested();
                certifiedCorrect += r.certifiedCorrect();
                eliminatedAt = r.alive() ? 0 : eliminatedAt == 0 ? 0 : Math.min(eliminatedAt, r.eliminatedAt());
            }
            out.add(new Standing(i, s, events, tested, correct, certifyTested, certifiedCorrect, eliminatedAt));
        }
        return out;
    }

    /** Steps every alive candidate's pending partial batch; true if any stepped. */
    public boolean flush() {
        boolean stepped = false;
        for (Entry e : entries) {
            if (e.learner != null) {
                stepped |= e.learner.flush();
            }
        }
        return stepped;
    }

    /** The best alive candidate's learner: after the race, the only one. */
    public StreamingLearner leader() {
        return entries[leader].learner;
    }

    /** The alive candidate with these settings, if any. */
    public Optional<StreamingLearner> candidate(LearnerSettings candidate) {
        int i = settings.candidates().indexOf(candidate);
        return i < 0 ? Optional.empty() : Optional.ofNullable(entries[i].learner);
    }

    /** Every candidate's record, in candidate order. */
    public List<Standing> standings() {
        List<Standing> out = new ArrayList<>(entries.length);
        for (int i = 0; i < entries.length; i++) {
            Entry e = entries[i];
            out.add(new Standing(i, settings.candidates().get(i), e.learner != null ? events : e.eliminatedAt, e.tested,
                    e.correct, e.certifyTested, e.certifiedCorrect, e.eliminatedAt));
        }
        return out;
    }

    /** True once one candidate is left (at once for a race of one). */
    public boolean decided() {
        return alive() == 1;
    }

    private int alive() {
        int n = 0;
        for (Entry e : entries) {
            if (e.learner != null) {
                n++;
            }
        }
        return n;
    }

    public RaceSettings settings() {
        return settings;
    }

    /** Events since the race began. */
    public long events() {
        return events;
    }

    // For SettingsRaceCodec.
    StreamingLearner learner(int i) {
        return entries[i].learner;
    }

    long[] counts(int i) {
        Entry e = entries[i];
        return new long[] {e.tested, e.correct, e.certifyTested, e.certifiedCorrect, e.eliminatedAt};
    }

    static SettingsRace restore(RaceSettings settings, long events, StreamingLearner[] learners, long[][] counts) {
        Entry[] entries = new Entry[learners.length];
        for (int i = 0; i < entries.length; i++) {
            Entry e = new Entry();
            e.learner = learners[i];
            e.tested = counts[i][0];
            e.correct = counts[i][1];
            e.certifyTested = counts[i][2];
            e.certifiedCorrect = counts[i][3];
            e.eliminatedAt = counts[i][4];
            entries[i] = e;
        }
        SettingsRace race = new SettingsRace(settings, entries, events);
        race.leader = entries.length == 1 ? 0 : best(race.standings(), settings.certifiedWeight());
        race.certifyAsRaced();
        return race;
    }
}
