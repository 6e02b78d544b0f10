/** Durable server history: server files, client registry and reciprocal transforms on sharded Chronicle Queues. */
package dev.outpost.server.store;
