/**
 * The configuration model: every key with its type, default and accepted range, loaded from YAML and
 * {@code --set} overrides, and the user-error type raised for a bad value.
 */
package dev.certmetric.config;
