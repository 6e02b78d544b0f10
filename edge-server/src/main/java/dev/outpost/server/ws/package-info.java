/** The sync WebSocket endpoint: pre-upgrade auth, sub-protocol negotiation, zero-copy binary frames, the session seam. */
package dev.outpost.server.ws;
