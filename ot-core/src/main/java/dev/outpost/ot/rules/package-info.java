/**
 * App Services permission rules (roles with document filters, PBS partition permissions): MongoDB query documents
 * compiled, with their expansions resolved from a user context, into immutable filters over
 * {@link dev.outpost.ot.query.ObjectView}. Pure: no clock, no I/O.
 */
package dev.outpost.ot.rules;
