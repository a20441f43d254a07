package dev.certmetric.learner;

import dev.certmetric.eval.ExemplarStatistics;
import dev.certmetric.eval.Quantiles;
import dev.certmetric.memory.ExemplarReservoir;
import dev.certmetric.metric.MahalanobisMetric;
import dev.certmetric.preprocess.OnlineStandardizer;
import dev.certmetric.preprocess.Standardizer;
import dev.certmetric.snapshot.Exemplar;
import dev.certmetric.snapshot.Hyperparameters;
import dev.certmetric.snapshot.MetricSnapshot;
import dev.certmetric.snapshot.RaceStandings;
import dev.certmetric.snapshot.TrainingStats;
import dev.certmetric.train.LearnerSettings;
import dev.certmetric.train.RaceSettings;
import dev.certmetric.train.SettingsRace;
import dev.certmetric.train.StreamingLearner;
import dev.certmetric.triplets.TripletWindow;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Builds the one published model from the latest state of every learner lineage:
 * <ul>
 *   <li>settings: each lineage races the same candidates on its share of the events; their standings
 *       are summed per candidate (event-weighted) and the best combined score among the candidates
 *       still alive somewhere wins (ties: the earlier candidate). With one lineage that is its race's
 *       leader. The snapshot's hyperparameters are the winner's and its race section the combined
 *       standings;</li>
 *   <li>metric: the winner's learners, from the lineages where it is alive: with one, its L as is;
 *       with several, M = sum_i w_i L_i^T L_i / sum_i w_i (w_i = the lineage's events), re-factored to
 *       a rank-q L; the identity instead unless the lineages' Euclidean guards, summed, give the learned
 *       metric a clear lead ({@link StreamingLearner#publishesEuclidean}; the
 *       hyperparameters' {@code metric} says which);</li>
 *   <li>k: the k of the winner's learners' k-NN vote ({@link StreamingLearner#voteK(List)}), the k scoring
 *       applies; the target neighbours per anchor go to the hyperparameters' {@code targets};</li>
 *   <li>preprocessing: the lineages' Welford statistics merged exactly (they saw disjoint events; all
 *       candidates of a race saw the same ones);</li>
 *   <li>events summed over all lineages; updates and prequential accuracy (total correct / total
 *       tested) over the winner's learners;</li>
 *   <li>exemplars: per class, up to {@code exemplarsPerClass} distinct rows (fewer if their features would take
 *       more than {@code maxExemplarBytes} in the snapshot, but never fewer than the window), preprocessed with the merged
 *       statistics: the windows' entries pooled, most recent first by event time, then the lineages' exemplar
 *       memories merged into one uniform sample of the class's distinct rows since the last drift (within the
 *       window's time bound, if it has one);</li>
 *   <li>margin quantiles and anomaly calibration computed on those exemplars under the published
 *       metric: for each exemplar its nearest same-class target and other-class impostor give a
 *       margin; its nearest other exemplar gives a nearest-neighbour distance.</li>
 * </ul>
 */
public final class ModelMerger {
    private ModelMerger() {
    }

    public static MetricSnapshot merge(List<WorkerModel> lineages, String modelName, long version, Instant createdAt,
                                       int exemplarsPerClass, long maxExemplarBytes, Map<String, String> extra) {
        if (lineages.isEmpty()) {
            throw new IllegalArgumentException("nothing to merge");
        }
        List<WorkerModel> sorted = new ArrayList<>(lineages);
        sorted.sort(Comparator.comparingLong(WorkerModel::lineage));
        // Lineages racing other candidates (restored from a run with another config) take no part in the choice.
        RaceSettings raced = sorted.get(0).race().settings();
        List<List<SettingsRace.Standing>> races = new ArrayList<>();
        for (WorkerModel w : sorted) {
            if (w.race().settings().candidates().equals(raced.candidates())) {
                races.add(w.race().standings());
            }
        }
        List<SettingsRace.Standing> standings = SettingsRace.combine(races);
        int winner = SettingsRace.best(standings, raced.certifiedWeight());
        LearnerSettings settings = standings.get(winner).settings();
        List<StreamingLearner> chosen = new ArrayList<>();
        for (WorkerModel w : sorted) {
            w.race().candidate(settings).ifPresent(chosen::add);
        }
        StreamingLearner first = chosen.get(0);
        int p = first.dimension();
        int q = first.rank();

        long events = 0;
        long tested = 0;
        long correct = 0;
        long updates = 0;
        double lossSum = 0;
        double lossWeight = 0;
        OnlineStandardizer stats = new OnlineStandardizer(p);
        double[] m = new double[p * p];
        double weightSum = 0;
        List<String> classes = new ArrayList<>();
        for (WorkerModel w : sorted) {
            StreamingLearner l = w.learner();
            if (l.dimension() != p) {
                throw new IllegalStateException("lineage " + w.lineage() + " has p=" + l.dimension() + "; expected p=" + p);
            }
            long lineageEvents = l.counters().events();
            events += lineageEvents;
            if (Double.isFinite(w.lossEma()) && lineageEvents > 0) {
                lossSum += w.lossEma() * lineageEvents;
                lossWeight += lineageEvents;
            }
            stats = OnlineStandardizer.merge(stats, l.statisticsCopy());
            for (String label : l.labels()) {
                if (!classes.contains(label)) {
                    classes.add(label);
                }
            }
        }
        for (StreamingLearner l : chosen) {
            if (l.rank() != q) {
                throw new IllegalStateException("a lineage has q=" + l.rank() + "; expected q=" + q);
            }
            StreamingLearner.Counters c = l.counters();
            tested += c.tested();
            correct += c.correct();
            updates += c.updates();
            double weight = Math.max(1, c.events());
            double[] mi = l.metric().m();
            for (int i = 0; i < m.length; i++) {
                m[i] += weight * mi[i];
            }
            weightSum += weight;
        }
        MahalanobisMetric metric;
        if (chosen.size() == 1) {
            metric = first.metric();
        } else {
            for (int i = 0; i < m.length; i++) {
                m[i] /= weightSum;
            }
            metric = MahalanobisMetric.fromM(m, p, q);
        }
        boolean euclidean = StreamingLearner.publishesEuclidean(chosen);
        int voteK = StreamingLearner.voteK(chosen);
        if (euclidean) {
            metric = MahalanobisMetric.euclidean(p);
        }
        Standardizer preprocessing = stats.current(settings.rowScaling());

        // Per class: the pooled windows' entries, newest first, then the merged memory's, distinct, up to perClass.
        Map<String, List<TripletWindow.Entry>> byClass = new LinkedHashMap<>();
        for (String c : classes) {
            byClass.put(c, new ArrayList<>());
        }
        long newest = Long.MIN_VALUE;
        List<ExemplarReservoir> memories = new ArrayList<>();
        for (WorkerModel w : sorted) {
            List<String> labels = w.learner().labels();
            for (TripletWindow.Entry e : w.learner().window().entries()) {
                byClass.get(labels.get(e.label())).add(e);
                newest = Math.max(newest, e.timestamp());
            }
            memories.add(w.memory());
        }
        ExemplarReservoir memory = ExemplarReservoir.merge(memories);
        // The window's time bound holds for the memory too: only events as recent as the window's may serve.
        long oldest = settings.windowMillis() > 0 ? newest - settings.windowMillis() : Long.MIN_VALUE;
        // Base64 takes 32/3 bytes a feature: at most as many per class as fit maxExemplarBytes, never fewer than the
        // window (what snapshots carried before the memory).
        long fit = maxExemplarBytes / (32L * p * classes.size()) * 3;
        int perClass = (int) Math.min(exemplarsPerClass,
                Math.max(settings.windowPerClass(), Math.min(memory.capacity(), fit)));
        List<Exemplar> exemplars = new ArrayList<>();
        List<double[]> pool = new ArrayList<>();
        List<Integer> poolClass = new ArrayList<>();
        for (int c = 0; c < classes.size(); c++) {
            List<TripletWindow.Entry> entries = byClass.get(classes.get(c));
            java.util.Collections.reverse(entries); // newest first among equal timestamps (the sort is stable)
            entries.sort(Comparator.comparingLong(TripletWindow.Entry::timestamp).reversed());
            List<double[]> rows = new ArrayList<>(entries.size());
            for (TripletWindow.Entry e : entries) {
                rows.add(e.raw());
            }
            for (ExemplarReservoir.Entry e : memory.entries(classes.get(c))) {
                if (e.timestamp() >= oldest) {
                    rows.add(e.raw());
                }
            }
            // Exact repeats (a replayed stream) add no information to k-NN and would put zero
            // nearest-neighbour distances into the anomaly calibration.
            java.util.Set<java.nio.DoubleBuffer> seen = new java.util.HashSet<>();
            for (int i = 0; i < rows.size() && seen.size() < perClass; i++) {
                double[] raw = rows.get(i);
                if (!seen.add(java.nio.DoubleBuffer.wrap(raw))) {
                    continue;
                }
                double[] x = preprocessing.apply(raw);
                exemplars.add(new Exemplar(classes.get(c), x));
                pool.add(x);
                poolClass.add(c);
            }
        }
        ExemplarStatistics quality = ExemplarStatistics.of(metric, pool,
                poolClass.stream().mapToInt(Integer::intValue).toArray());
        double[] margins = quality.margins();
        Arrays.sort(margins);
        double p10 = margins.length == 0 ? 0 : Quantiles.of(margins, 0.1);
        double p50 = margins.length == 0 ? 0 : Quantiles.of(margins, 0.5);
        double p90 = margins.length == 0 ? 0 : Quantiles.of(margins, 0.9);
        double[] calibration = quality.calibration();
        double accuracy = tested == 0 ? 0 : (double) correct / tested;
        double meanLoss = lossWeight > 0 ? Math.max(0, lossSum / lossWeight) : 0;

        Map<String, String> allExtra = new TreeMap<>(extra);
        allExtra.put("window.millis", String.valueOf(settings.windowMillis()));
        allExtra.put("window.per-class", String.valueOf(settings.windowPerClass()));
        allExtra.put("certify-every", String.valueOf(settings.certifyEvery()));
        allExtra.put("lineages", String.valueOf(sorted.size()));
        allExtra.put("exemplars-per-class", String.valueOf(perClass));
        allExtra.put("guard.radius", String.valueOf(settings.guardRadius()));
        allExtra.put("targets", String.valueOf(settings.k()));
        allExtra.put(Hyperparameters.METRIC,
                euclidean ? Hyperparameters.EUCLIDEAN_METRIC : Hyperparameters.LEARNED_METRIC);
        Hyperparameters hyper = new Hyperparameters(voteK, settings.impostors(), settings.mu(), settings.lambda(),
                settings.tau(), metric.rank(), settings.stepRule(), settings.learningRate(),
                Math.max(settings.windowPerClass(), perClass),
                settings.batchSize(), new TreeMap<>(allExtra));
        return MetricSnapshot.builder()
                .modelName(modelName)
                .version(version)
                .createdAt(createdAt)
                .metric(metric)
                .preprocessing(preprocessing)
                .hyperparameters(hyper)
                .trainingStats(new TrainingStats(events, updates, accuracy, meanLoss, p10, p50, p90, calibration))
                .exemplars(exemplars)
                .classes(classes)
                .race(raced.population() > 1 ? provenance(standings, winner, raced) : null)
                .build();
    }

    private static RaceStandings provenance(List<SettingsRace.Standing> standings, int winner, RaceSettings raced) {
        List<RaceStandings.Candidate> candidates = new ArrayList<>();
        for (SettingsRace.Standing s : standings) {
            LearnerSettings c = s.settings();
            candidates.add(new RaceStandings.Candidate(c.mu(), c.lambda(), c.tau(), c.learningRate(), c.rowScaling(), s.events(),
                    s.accuracy(), s.certifiedAccuracy(), s.score(raced.certifiedWeight()), s.eliminatedAt()));
        }
        return new RaceStandings(raced.certifiedWeight(), raced.certifiedRadius(), winner, candidates);
    }
}
