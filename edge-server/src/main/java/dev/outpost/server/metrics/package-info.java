/** Prometheus metrics of the server (Micrometer) and structured, once-per-kind logging of peer errors. */
package dev.outpost.server.metrics;
