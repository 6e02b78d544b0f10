/** The PostgreSQL mirror: a per-app worker that applies every integrated changeset to one table per class. */
package dev.outpost.server.mirror;
