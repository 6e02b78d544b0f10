/** The command line of the {@code outpost} executable (picocli). */
package dev.outpost.server.cli;
