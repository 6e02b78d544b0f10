/** Protocol-level changeset integration (server uploads, client downloads) with storage behind small interfaces. */
package dev.outpost.ot.sync;
