/**
 * The Micrometer registry and its Prometheus {@code /metrics} endpoint, shared by the processes that serve
 * metrics over HTTP.
 */
package dev.certmetric.monitoring;
