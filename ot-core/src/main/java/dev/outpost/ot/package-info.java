/** Deterministic operational transformation and object state: pure, single-threaded by contract. */
package dev.outpost.ot;
