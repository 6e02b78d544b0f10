/** Heap model of Realm changesets (instructions, keys, payloads, paths) and its conversion from and to bytes. */
package dev.outpost.ot.model;
