package dev.certmetric.cli;

import dev.certmetric.config.BadInputException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;


import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;

/** {@code certmetric bench-score}: answers/s and p50/p99 latency in process, through Kafka and through HTTP. */
@Command(name = "bench-score",
        mixinStandardHelpOptions = true,
        description = "Benchmark the scorer on synthetic Gaussian classes: in process, through Kafka and through HTTP.")
public final class BenchScoreCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--bootstrap", paramLabel = "HOST:PORT", description = "Kafka to use (default: an embedded broker).")
    String bootstrap;

    @Option(names = "--p", defaultValue = "16", description = "Input dimension (default: ${DEFAULT-VALUE}).")
    int p;

    @Option(names = "--q", defaultValue = "0", description = "Rank of L; 0 = p (default: ${DEFAULT-VALUE}).")
    int q;

    @Option(names = "--classes", defaultValue = "10", description = "Classes (default: ${DEFAULT-VALUE}).")
    int classes;

    @Option(names = "--per-class", defaultValue = "50", description = "Exemplars per class (default: ${DEFAULT-VALUE}).")
    int perClass;

    @Option(names = "--requests", defaultValue = "5000", description = "Requests per transport (default: ${DEFAULT-VALUE}).")
    int requests;

    @Option(names = "--http-clients", defaultValue = "2", description = "Concurrent HTTP clients (default: ${DEFAULT-VALUE}).")
    int httpClients;

    @Option(names = "--guarantee", defaultValue = "exactly_once_v2", description = "exactly_once_v2 | at_least_once (default: ${DEFAULT-VALUE}).")
    String guarantee;

    @Option(names = "--commit-interval-ms", defaultValue = "100", description = "Kafka Streams commit interval (default: ${DEFAULT-VALUE}).")
    long commitMs;

    @Option(names = "--search-references", paramLabel = "N", defaultValue = "0",
            description = "Measure only catalogue search, in process: N catalogue items, --requests search requests "
                    + "of --search-k nearest; --json does not apply (default: ${DEFAULT-VALUE} = the three transports instead).")
    int searchReferences;

    @Option(names = "--search-k", defaultValue = "10", description = "k of the search requests, 1..100 (default: ${DEFAULT-VALUE}).")
    int searchK;

    @Option(names = "--json", paramLabel = "OUT.json",
            description = "Also write {p, q, exemplars, in_process, http, kafka} (answers_per_second, p50_ms, p99_ms each) as JSON.")
    Path json;

    @Override
    public Integer call() throws Exception {
        int rank = q == 0 ? p : q;
        if (p < 1 || rank < 1 || rank > p || classes < 2 || perClass < 2 || requests < 1 || httpClients < 1) {
            throw new BadInputException("need p >= 1, 1 <= q <= p, classes >= 2, per-class >= 2, requests >= 1, http-clients >= 1");
        }
        PrintWriter out = spec.commandLine().getOut();
        if (searchReferences > 0) {
            if (searchK < 1 || searchK > 100) {
                throw new BadInputException("--search-k = " + searchK + " is out of range; accepted: 1..100 "
                        + "(the default scorer.max-search-k)");
            }
            out.printf("bench-score search: p=%d q=%d references=%d k=%d requests=%d%n", p, rank, searchReferences,
                    searchK, requests);
            out.flush();
            ScoreBenchmark.search(p, rank, classes, perClass, searchReferences, searchK, requests, out);
            return 0;
        }
        out.printf("bench-score: p=%d q=%d classes=%d exemplars/class=%d requests=%d guarantee=%s commit=%dms%n",
                p, rank, classes, perClass, requests, guarantee, commitMs);
        out.flush();
        ScoreBenchmark.Results results = ScoreBenchmark.run(bootstrap, p, rank, classes, perClass, requests, httpClients,
                guarantee, commitMs, out);
        if (json != null) {
            writeJson(results, json);
        }
        return 0;
    }

    static void writeJson(ScoreBenchmark.Results results, Path json) {
        JsonOutput.write(json, results.json());
    }
}
