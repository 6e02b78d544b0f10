package dev.outpost.server.auth;

/**
 * A refresh session: created by a login, ended by a logout. Its id is the {@code sid} claim of the refresh token and
 * of every access token refreshed from it.
 *
 * @param id        24-hex session id.
 * @param userId    the user it belongs to.
 * @param deviceId  24-hex device id returned at login.
 * @param createdAt seconds since the epoch.
 * @param revoked   true once logged out; a revoked session never becomes valid again.
 */
public record RefreshSession(String id, String userId, String deviceId, long createdAt, boolean revoked)
{
    RefreshSession revoke()
    {
        return new RefreshSession(id, userId, deviceId, createdAt, true);
    }
}
