/** Flexible-sync subscription queries (realm-core's RQL descriptions): parser, compiled predicates, evaluation. */
package dev.outpost.ot.query;
