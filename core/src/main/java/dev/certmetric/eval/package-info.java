/**
 * The held-out evaluation protocol (Euclidean, LMNN, LMNN + perturbation loss, the streaming learner)
 * and its table, JSON and HTML reports; the prequential (test-then-train) replay of a dataset through the
 * streaming learner, with its JSON and HTML reports.
 */
package dev.certmetric.eval;
