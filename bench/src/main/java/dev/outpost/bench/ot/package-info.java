/** JMH benchmarks of ot-core: changeset merge (operational transformation). */
package dev.outpost.bench.ot;
