/** The sync server: Vert.x HTTP API and WebSocket sessions, server-file writers, Chronicle history. */
package dev.outpost.server;
