/**
 * Flexible sync (FLX) logic: subscription queries, compensating writes (the writes outside a subscription, their
 * revert entries and 231 bodies) and bootstrap splitting. A leaf: imports codec, ot-core and the wire formats of
 * {@link dev.outpost.server.sync.wire}, nothing of sessions, writers or the store.
 */
package dev.outpost.server.sync.flx;
