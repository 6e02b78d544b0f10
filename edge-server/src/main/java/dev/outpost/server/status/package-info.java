/** Health, readiness, the status page and its JSON, and the Prometheus scrape endpoint. */
package dev.outpost.server.status;
