/**
 * Input preprocessing (centre, scale, unit-norm rows), fitted in batch or online with Welford statistics.
 */
package dev.certmetric.preprocess;
