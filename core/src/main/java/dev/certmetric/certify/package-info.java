/**
 * Certified robustness radii of k-NN decisions under a Mahalanobis metric: the largest input-space
 * perturbation that provably cannot change the answer.
 */
package dev.certmetric.certify;
