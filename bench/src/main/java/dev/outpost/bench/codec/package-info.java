/** JMH benchmarks of the codec module: changeset and message decoding/encoding throughput and allocation. */
package dev.outpost.bench.codec;
