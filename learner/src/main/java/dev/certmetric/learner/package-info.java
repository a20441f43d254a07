/**
 * The Flink adapter: the learner job (Kafka source, decode, learner workers, snapshot publisher,
 * exactly-once Kafka sink), its operators, explicit state serializers and Kafka schemas.
 */
package dev.certmetric.learner;
