/**
 * The server's wiring (composition root): opens every configured app (auth store, token keys, sync engine), puts
 * the HTTP routes and the sync WebSocket behind one port, and stops it all gracefully. Depends on {@code http},
 * {@code sync}, {@code ws}, {@code auth}, {@code status} and {@code config}; none of them depends on it.
 */
package dev.outpost.server.runtime;
