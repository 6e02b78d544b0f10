/** The admin API: its key, its routes (apps, users, connections, server files, sync errors, configuration). */
package dev.outpost.server.admin;
