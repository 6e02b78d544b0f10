package dev.outpost.server.auth;

/**
 * The email/password credentials of a {@code local-userpass} user as persisted in the auth log.
 *
 * @param userId   the user.
 * @param email    the address as registered.
 * @param password its salted slow hash.
 */
public record UserPassRecord(String userId, String email, PasswordHasher.Hash password)
{
}
