/** Test-only helpers shared across modules through the core test jar: jqwik arbitraries for the parsers' property tests. */
package dev.certmetric.testing;
