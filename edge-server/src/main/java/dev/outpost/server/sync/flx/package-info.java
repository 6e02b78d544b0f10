/**
 * Flexible sync (FLX) logic: subscription queries, compensating writes (the writes outside a subscription, their
 * revert entries and 231 bodies) and bootstrap splitting. A leaf: imports codec, ot-core, the wire formats of
 * {@link dev.outpost.server.sync.wire} and the store's revert-entry marker (record layout), nothing of sessions,
 * writers or the store's machinery.
 */
package dev.outpost.server.sync.flx;
