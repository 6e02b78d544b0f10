/** In-memory object state of one server file, the instruction applier that mutates it, and state snapshots. */
package dev.outpost.ot.state;
