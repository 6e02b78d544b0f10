/**
 * {@code outpost backup} and {@code outpost restore}: a consistent copy of a data directory taken while the server
 * runs (history store, auth log, keys), and a new data directory made from it. See edge-server/OPERATING.md,
 * "Backup and restore".
 */
package dev.outpost.server.backup;
