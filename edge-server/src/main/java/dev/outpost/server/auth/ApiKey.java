package dev.outpost.server.auth;

/**
 * A user API key as persisted in the auth log. The key itself is shown once, at creation; only its SHA-256 is kept
 * (keys are 256 random bits, so a fast hash is enough: there is nothing to guess).
 *
 * @param id        24-hex key id ({@code _id} in the API).
 * @param userId    the user the key logs in as.
 * @param name      the name its owner gave it, unique per user.
 * @param hash      hex SHA-256 of the key.
 * @param createdAt seconds since the epoch.
 * @param disabled  true while its owner has disabled it.
 */
public record ApiKey(String id, String userId, String name, String hash, long createdAt, boolean disabled)
{
    ApiKey disabled(final boolean value)
    {
        return new ApiKey(id, userId, name, hash, createdAt, value);
    }
}
