/**
 * A single-node KRaft Kafka broker in process, for the demo, the {@code broker} command and integration tests.
 */
package dev.certmetric.embedded;
