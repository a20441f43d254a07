/**
 * Optimisers: the batch reference optimiser, the one-pass streaming learner with its checkpointable
 * state, and the settings race that picks the streaming learner's settings on the stream.
 */
package dev.certmetric.train;
