/**
 * The learner's exemplar memory for snapshots: a class-balanced uniform sample of the stream's distinct rows,
 * larger than the training window and never read by training.
 */
package dev.certmetric.memory;
