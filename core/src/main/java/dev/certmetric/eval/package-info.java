/**
 * The held-out evaluation protocol (Euclidean, LMNN, LMNN + perturbation loss, the streaming learner)
 * and its table, JSON and HTML reports.
 */
package dev.certmetric.eval;
