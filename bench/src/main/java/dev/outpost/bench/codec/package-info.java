/** JMH benchmarks of the codec: message heads, entry iteration, zlib bodies and changeset decode/encode. */
package dev.outpost.bench.codec;
