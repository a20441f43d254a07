/**
 * The JVM-wide Micrometer registry that certmetric's components report to; the scorer and the CLI serve it over
 * HTTP.
 */
package dev.certmetric.monitoring;
