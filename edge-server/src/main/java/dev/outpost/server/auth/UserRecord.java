package dev.outpost.server.auth;

/**
 * A user as persisted in the auth log.
 *
 * @param id         24-hex user id (the {@code sub} of its tokens).
 * @param appId      the app the user belongs to.
 * @param provider   the auth provider that created it ({@code anon-user}).
 * @param identityId the id of the user's single identity with that provider.
 * @param createdAt  seconds since the epoch.
 */
public record UserRecord(String id, String appId, String provider, String identityId, long createdAt)
{
}
