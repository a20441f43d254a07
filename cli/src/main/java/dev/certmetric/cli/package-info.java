/**
 * The all-in-one command line ({@code certmetric.jar}): demo, evaluate, produce, learn, score, broker and the
 * benchmark commands. A thin layer of picocli commands over the learner, the scorer and the core; nothing imports it.
 */
package dev.certmetric.cli;
