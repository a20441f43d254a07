/**
 * Triplet selection: reference triplets (targets and impostors) for batch fits and the streaming window.
 */
package dev.certmetric.triplets;
