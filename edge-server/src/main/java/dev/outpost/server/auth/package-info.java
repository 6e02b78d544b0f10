/** Users, auth providers (anonymous, email/password, custom JWT, API keys), refresh sessions and JWTs: issuing, verifying and persisting them. */
package dev.outpost.server.auth;
