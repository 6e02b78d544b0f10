/**
 * The HTTP routes: App Services endpoints (location, login, profile, session), JSON answers and the HTTP connection
 * guard. The server that serves them is wired in {@code runtime}.
 */
package dev.outpost.server.http;
