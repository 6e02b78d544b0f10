/** The Realm changeset binary format: varints, interned strings, payloads, paths and instructions. */
package dev.outpost.codec.changeset;
