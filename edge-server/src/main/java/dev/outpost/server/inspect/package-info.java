/** Offline and live inspection of a data directory's history store: server files, clients, entries, objects. */
package dev.outpost.server.inspect;
