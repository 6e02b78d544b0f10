/** Flyweight decoders and encoders for sync message heads, entry lists and zlib bodies. */
package dev.outpost.codec.message;
