/**
 * Kafka client settings shared by the learner, the scorer and the tools (durable producers, read-committed
 * consumers, snapshot-sized records) and the dead-letter record format.
 */
package dev.certmetric.kafka;
