/**
 * The LMNN objective with the perturbation loss: its value and gradient in M form, in L form for batch fits,
 * and anchor by anchor for the streaming learner.
 */
package dev.certmetric.objective;
