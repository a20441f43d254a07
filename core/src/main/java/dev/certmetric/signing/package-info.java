/**
 * Ed25519 signatures of published snapshots: the learner signs the exact record bytes with its private key,
 * scorers verify them against the public keys they trust, named by fingerprint so that keys can rotate. Plain
 * JDK cryptography (no provider to install); keys are PEM files (PKCS#8 private, X.509 public).
 */
package dev.certmetric.signing;
