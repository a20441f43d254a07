/**
 * Input preprocessing: centre and scale every feature (statistics fitted in batch or online with Welford's
 * method), then scale the row ({@link dev.certmetric.preprocess.RowScaling}: unit norm or a fixed 1/sqrt(p)).
 */
package dev.certmetric.preprocess;
