/**
 * The LMNN objective with the perturbation loss: its value and gradient in M form and in L form.
 */
package dev.certmetric.objective;
