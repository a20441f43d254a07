package dev.certmetric.cli;

import dev.certmetric.config.BadInputException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;


import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
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

    @Option(names = "--requests", defaultValue = "5000",
            description = "Requests in process and over HTTP (default: ${DEFAULT-VALUE}).")
    int requests;

    @Option(names = "--kafka-requests", defaultValue = "50000",
            description = "Requests of each saturated Kafka run, a backlog written before the scorer starts: enough "
                    + "that the first and the last commit do not dominate (default: ${DEFAULT-VALUE}).")
    int kafkaRequests;

    @Option(names = "--http-clients", defaultValue = "2", description = "Concurrent HTTP clients (default: ${DEFAULT-VALUE}).")
    int httpClients;

    @Option(names = "--guarantees", defaultValue = "at_least_once,exactly_once_v2", split = ",",
            description = "Processing guarantees to measure the Kafka path with, each with its own scorer "
                    + "(default: ${DEFAULT-VALUE}).")
    List<String> guarantees;

    @Option(names = "--commit-interval-ms", defaultValue = "100", description = "Kafka Streams commit interval (default: ${DEFAULT-VALUE}).")
    long commitMs;

    @Option(names = "--search-references", paramLabel = "N", defaultValue = "0",
            description = "Measure only catalogue search, in process: N catalogue items, --requests search requests "
                    + "of --search-k nearest; --json does not apply (default: ${DEFAULT-VALUE} = the three transports instead).")
    int searchReferences;

    @Option(names = "--search-k", defaultValue = "10", description = "k of the search requests, 1..100 (default: ${DEFAULT-VALUE}).")
    int searchK;

    @Option(names = "--json", paramLabel = "OUT.json",
            description = "Also write {p, q, exemplars, in_process, http, kafka: {GUARANTEE: ...}} (answers_per_second, "
                    + "p50_ms, p99_ms each) as JSON.")
    Path json;

    @Override
    public Integer call() throws Exception {
        int rank = q == 0 ? p : q;
        if (p < 1 || rank < 1 || rank > p || classes < 2 || perClass < 2 || requests < 1 || kafkaRequests < 1
                || httpClients < 1) {
            throw new BadInputException("need p >= 1, 1 <= q <= p, classes >= 2, per-class >= 2, requests >= 1, "
                    + "kafka-requests >= 1, http-clients >= 1");
        }
        for (String g : guarantees) {
            if (!ScoreBenchmark.GUARANTEES.contains(g)) {
                throw new BadInputException("--guarantees: '" + g + "' is not one of " + String.join(", ",
                        ScoreBenchmark.GUARANTEES));
            }
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
        out.printf("bench-score: p=%d q=%d classes=%d exemplars/class=%d requests=%d kafka-requests=%d guarantees=%s "
                + "commit=%dms%n", p, rank, classes, perClass, requests, kafkaRequests, String.join(",", guarantees), commitMs);
        out.flush();
        ScoreBenchmark.Results results = ScoreBenchmark.run(bootstrap, p, rank, classes, perClass, requests, kafkaRequests,
                httpClients, guarantees, commitMs, out);
        if (json != null) {
            writeJson(results, json);
        }
        return 0;
    }

    static void writeJson(ScoreBenchmark.Results results, Path json) {
        JsonOutput.write(json, results.json());
    }
}
