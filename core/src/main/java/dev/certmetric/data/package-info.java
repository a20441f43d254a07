/**
 * Labelled datasets: the CSV and ARFF readers with their one-line errors, the bundled datasets and train/test splits.
 */
package dev.certmetric.data;
