/** Bytes to typed views and back for the Realm sync protocol: shared error types live here. */
package dev.outpost.codec;
