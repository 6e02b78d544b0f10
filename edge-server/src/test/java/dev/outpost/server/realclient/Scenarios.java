package dev.outpost.server.realclient;

import io.realm.kotlin.internal.interop.LiveRealmT;
import io.realm.kotlin.internal.interop.NativePointer;
import io.realm.kotlin.internal.interop.RealmUserT;
import io.realm.kotlin.internal.interop.sync.SyncUserIdentity;

import java.util.Map;
import java.util.TreeMap;

import static dev.outpost.server.realclient.RealmClient.RI;

/**
 * The scenarios the driver knows, by name. Add a scenario by adding an entry here (e.g. "pbs-write" writing
 * {@code count} Items to {@code partition}, "pbs-read", "pause-resume", "flx-subscribe") built from the
 * {@link RealmClient} helpers; the test picks it with {@code --scenario}.
 */
final class Scenarios
{
    static final Map<String, Scenario> ALL = new TreeMap<>(Map.of(
        "auth", Scenarios::auth));

    static
    {
        SyncScenarios.register(ALL);
    }

    private Scenarios()
    {
    }

    /**
     * Log in anonymously (login + profile), then open one realm per mode in {@code modes} (default {@code pbs,flx})
     * and wait until its sync WebSocket is connected. Sessions beyond the upgrade are not required to work.
     * Params: {@code modes}, {@code partition} (default {@code "probe-partition"}), {@code connectTimeoutMs}.
     */
    static void auth(final RealmClient client, final Map<String, String> params, final JsonLine result)
        throws Exception
    {
        final NativePointer<RealmUserT> user = client.loginAnonymous(30);
        result.put("user_id", RI.realm_user_get_identity(user));
        result.put("device_id", RI.realm_user_get_device_id(user));
        result.put("logged_in", RI.realm_user_is_logged_in(user));
        result.put("access_token_parts", RI.realm_user_get_access_token(user).split("\\.", -1).length);
        result.put("refresh_token_parts", RI.realm_user_get_refresh_token(user).split("\\.", -1).length);
        for (final SyncUserIdentity identity : RI.realm_user_get_all_identities(user))
        {
            result.add("identities", new JsonLine().put("id", identity.getId())
                .put("provider", String.valueOf(identity.getProvider())));
        }
        final String profile = RI.realm_user_get_profile(user);
        result.put("profile", null == profile || profile.isBlank() ? null : new JsonLine.Raw(profile));

        final long timeoutMs = Long.parseLong(params.getOrDefault("connectTimeoutMs", "20000"));
        final String partition = params.getOrDefault("partition", "\"probe-partition\"");
        for (final String mode : params.getOrDefault("modes", "pbs,flx").split(","))
        {
            final boolean flx = "flx".equals(mode.trim());
            final NativePointer<LiveRealmT> realm = client.open(user, flx ? null : partition,
                flx ? "flx-auth.realm" : "pbs-auth.realm");
            final long connectedMs = RealmClient.awaitConnected(realm, timeoutMs);
            result.object(flx ? "flx" : "pbs").put("connected", connectedMs >= 0).put("connect_ms", connectedMs);
        }
    }
}
