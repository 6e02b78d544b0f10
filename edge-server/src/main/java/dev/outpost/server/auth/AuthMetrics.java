package dev.outpost.server.auth;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;

import java.util.function.IntSupplier;

/**
 * The auth meters of one app, every one tagged {@code app}; from {@link AppMetrics#auth()}. Thread-safe; every meter
 * is registered up front, so counting is one adder update.
 * <pre>
 * outpost_auth_logins_total{app,provider,result}   counter  login attempts: result = success, bad_credentials,
 *                                                            disabled, locked_out, error
 * outpost_auth_token_refreshes_total{app,result}   counter  access tokens refreshed: result = success, error
 * outpost_auth_lockouts_total{app}                 counter  accounts locked out by too many failed logins
 * outpost_auth_logouts_total{app}                  counter  refresh sessions revoked (logout)
 * outpost_auth_users{app}                          gauge    registered users
 * </pre>
 */
public final class AuthMetrics
{
    /** The login providers, as {@code provider} tag values (the App Services provider names). */
    public static final String[] PROVIDERS = {"anon-user", "local-userpass", "custom-token", "api-key"};

    /** Why a login ended as it did ({@code result} tag). */
    public enum LoginResult
    {
        /** Tokens issued. */
        SUCCESS,
        /** Unknown account, wrong password, invalid key or token, malformed credentials. */
        BAD_CREDENTIALS,
        /** The provider is not enabled for the app, or the API key is disabled. */
        DISABLED,
        /** Too many failed logins for the account: refused without checking the password. */
        LOCKED_OUT,
        /** A server fault (storage, overload). */
        ERROR;

        final String tag = name().toLowerCase(java.util.Locale.ROOT);
    }

    private final Counter[][] logins = new Counter[PROVIDERS.length][LoginResult.values().length];
    private final Counter refreshed;
    private final Counter refreshFailed;
    private final Counter lockouts;
    private final Counter logouts;
    private volatile IntSupplier users = () -> 0;

    public AuthMetrics(final MeterRegistry registry, final String appId)
    {
        for (int p = 0; p < PROVIDERS.length; p++)
        {
            for (final LoginResult r : LoginResult.values())
            {
                logins[p][r.ordinal()] = Counter.builder("outpost.auth.logins").tag("app", appId)
                    .tag("provider", PROVIDERS[p]).tag("result", r.tag)
                    .description("Login attempts by provider and result").register(registry);
            }
        }
        refreshed = refreshes(registry, appId, "success");
        refreshFailed = refreshes(registry, appId, "error");
        lockouts = Counter.builder("outpost.auth.lockouts").tag("app", appId)
            .description("Accounts locked out after too many failed logins").register(registry);
        logouts = Counter.builder("outpost.auth.logouts").tag("app", appId)
            .description("Refresh sessions revoked by a logout").register(registry);
        Gauge.builder("outpost.auth.users", this, m -> m.users.getAsInt()).tag("app", appId)
            .description("Registered users").register(registry);
    }

    private static Counter refreshes(final MeterRegistry registry, final String appId, final String result)
    {
        return Counter.builder("outpost.auth.token.refreshes").tag("app", appId).tag("result", result)
            .description("Access tokens refreshed, by result").register(registry);
    }

    /**
     * @param appId the app.
     * @return meters of their own, registered nowhere anyone scrapes (an auth service opened without a server).
     */
    public static AuthMetrics detached(final String appId)
    {
        return new AuthMetrics(new PrometheusMeterRegistry(PrometheusConfig.DEFAULT), appId);
    }

    /**
     * @param provider one of {@link #PROVIDERS}.
     * @param result   how the login ended.
     */
    public void login(final String provider, final LoginResult result)
    {
        for (int p = 0; p < PROVIDERS.length; p++)
        {
            if (PROVIDERS[p].equals(provider))
            {
                logins[p][result.ordinal()].increment();
                return;
            }
        }
    }

    /**
     * @param provider one of {@link #PROVIDERS}.
     * @param result   how the login ended.
     * @return logins counted so far with that provider and result.
     */
    public double logins(final String provider, final LoginResult result)
    {
        for (int p = 0; p < PROVIDERS.length; p++)
        {
            if (PROVIDERS[p].equals(provider))
            {
                return logins[p][result.ordinal()].count();
            }
        }
        return 0;
    }

    /** @param success whether a new access token was issued. */
    public void refresh(final boolean success)
    {
        (success ? refreshed : refreshFailed).increment();
    }

    /** A failed login reached the account's limit: the account is locked out for the window. */
    public void lockout()
    {
        lockouts.increment();
    }

    /** A refresh session was revoked (logout). */
    public void logout()
    {
        logouts.increment();
    }

    /** @param count reads the number of registered users (cheap: a map size). */
    public void users(final IntSupplier count)
    {
        this.users = count;
    }
}
