/** The sync session engine: sessions per connection, server-file writers, download fan-out, FLX bootstraps. */
package dev.outpost.server.sync;
