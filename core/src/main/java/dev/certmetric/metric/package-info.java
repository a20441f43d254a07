/**
 * The Mahalanobis metric {@code M = L^T L}: distances, adversarial margins, closest adversarial examples,
 * and the dense linear algebra (PSD projection, Procrustes alignment) behind them.
 */
package dev.certmetric.metric;
