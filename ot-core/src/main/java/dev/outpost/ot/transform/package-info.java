/** Realm-compatible operational transformation: merging a peer's changesets with ours (realm-core transform.cpp). */
package dev.outpost.ot.transform;
