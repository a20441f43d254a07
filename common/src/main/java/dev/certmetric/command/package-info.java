/** Command-line plumbing shared by the entry points: how a user error is reported and what exit code it gets. */
package dev.certmetric.command;
