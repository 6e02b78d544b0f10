/** JMH benchmarks of the durable history store against raw Chronicle Queue. */
package dev.outpost.bench.store;
