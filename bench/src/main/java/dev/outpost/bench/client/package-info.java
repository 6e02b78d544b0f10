/** A Java Realm sync protocol client (HTTP login, WebSocket, sessions, client-side OT) for load and tests. */
package dev.outpost.bench.client;
