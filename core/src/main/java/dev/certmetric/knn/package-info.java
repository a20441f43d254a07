/**
 * k-nearest-neighbour classification under a learned metric.
 */
package dev.certmetric.knn;
