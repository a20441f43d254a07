/**
 * Inline-SVG charts and the self-contained HTML page frame shared by the reports.
 */
package dev.certmetric.report;
