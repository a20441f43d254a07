/**
 * Labelled datasets: the CSV reader with its one-line errors, the bundled datasets and train/test splits.
 */
package dev.certmetric.data;
