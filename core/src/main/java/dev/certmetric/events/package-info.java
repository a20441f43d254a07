/**
 * The labelled-event wire format: decoding with a typed reason for every rejection, and encoding.
 */
package dev.certmetric.events;
