/** Users, refresh sessions and JWT access/refresh tokens: issuing, verifying and persisting them. */
package dev.outpost.server.auth;
