package dev.outpost.server.http;

import dev.outpost.server.auth.AuthService;

/**
 * The apps a server serves, by Client App ID. Thread-safe and unchanging while the server runs.
 */
public interface AppDirectory
{
    /**
     * @param appId a Client App ID from a URL or a token.
     * @return the app's auth service, or null if this server does not serve it (answer 404 {@code AppNotFound}).
     */
    AuthService auth(String appId);

    /**
     * @param appId    a served app.
     * @param provider App Services provider name from the login URL, e.g. {@code anon-user}.
     * @return whether the app accepts logins through that provider.
     */
    boolean providerEnabled(String appId, String provider);

    /**
     * @return the Client App IDs served, in configuration order (named in a 404 only when the operator allows it).
     */
    java.util.Set<String> appIds();

    /**
     * @param auth the auth service of the one app served.
     * @return a directory of that app alone, with the anonymous provider enabled.
     */
    static AppDirectory single(final AuthService auth)
    {
        return new AppDirectory()
        {
            public AuthService auth(final String appId)
            {
                return auth.isKnownApp(appId) ? auth : null;
            }

            public boolean providerEnabled(final String appId, final String provider)
            {
                return AuthService.ANON_PROVIDER.equals(provider);
            }

            public java.util.Set<String> appIds()
            {
                return java.util.Set.of(auth.appId());
            }
        };
    }
}
