/**
 * The metric snapshot: a versioned, self-describing model (metric, preprocessing, exemplars, training
 * statistics, hyperparameters) and its JSON wire format.
 */
package dev.certmetric.snapshot;
