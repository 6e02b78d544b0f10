/** The Vert.x HTTP server: App Services endpoints (location, login, profile, session) and server lifecycle. */
package dev.outpost.server.http;
