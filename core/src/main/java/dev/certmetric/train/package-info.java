/**
 * Optimisers: the batch reference optimiser and the one-pass streaming learner with its checkpointable state.
 */
package dev.certmetric.train;
