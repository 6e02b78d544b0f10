/**
 * {@code outpost import} and {@code outpost export}: MongoDB Extended JSON (what {@code mongoexport} writes and
 * {@code mongoimport} reads) into an app's server files through the server's own writer, and the server files'
 * objects back out. See edge-server/OPERATING.md, "Import and export".
 */
package dev.outpost.server.transfer;
