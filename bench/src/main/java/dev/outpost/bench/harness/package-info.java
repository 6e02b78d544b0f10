/** A no-network harness of the server's internal path: decode, transform, append, fan-out encode. */
package dev.outpost.bench.harness;
