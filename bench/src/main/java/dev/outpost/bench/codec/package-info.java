/** JMH benchmarks of the wire codec: message heads, entry iteration and zlib bodies. */
package dev.outpost.bench.codec;
