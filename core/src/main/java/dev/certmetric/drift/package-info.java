/**
 * Concept-drift detection on the prequential error stream: detectors that say when the recent error rate
 * has risen enough that the learner's memory and averaged metric no longer describe the stream.
 */
package dev.certmetric.drift;
