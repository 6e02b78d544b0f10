/**
 * Wire formats shared by sessions, writer commands and FLX: JSON_ERROR bodies and the original protocol's request
 * constants. A leaf: stateless, imports nothing of the server.
 */
package dev.outpost.server.sync.wire;
