/** Embedding Outpost in a host Vert.x application: a verticle whose router the host mounts beside its own routes. */
package dev.outpost.server.embed;
