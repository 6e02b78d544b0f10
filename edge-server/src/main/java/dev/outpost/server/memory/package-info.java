/**
 * Memory back-pressure: {@link dev.outpost.server.memory.HeapGuard} watches the heap left live after each garbage
 * collection and tells its listeners (connections stop reading, writers drop cached object states, new connections are
 * refused) when it crosses the high mark, and again when it is back under the low one. A leaf: uses nothing else of
 * the server.
 */
package dev.outpost.server.memory;
