/**
 * The Kafka Streams and HTTP adapter: hot-swapped snapshots, and similarity, nearest-class and anomaly
 * answers stamped with the snapshot version and a certified radius.
 */
package dev.certmetric.scorer;
