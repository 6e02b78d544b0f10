/** The load generator: scenarios, metrics, limits and the JSON report. */
package dev.outpost.bench.load;
