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
        "auth", Scenarios::auth,
        "write", Scenarios::write,
        "read", Scenarios::read,
        "offline-write", Scenarios::offlineWrite));

    static
    {
        SyncScenarios.register(ALL);
        ProductScenarios.register(ALL);
        FlxScenarios.register(ALL);
        AuthScenarios.register(ALL);
        ExportScenarios.register(ALL);
        HostileScenarios.register(ALL);
        PermissionScenarios.register(ALL);
        RoleScenarios.register(ALL);
        InboundScenarios.register(ALL);
        ResetScenarios.register(ALL);
        BackupScenarios.register(ALL);
    }

    private Scenarios()
    {
    }

    /**
     * Log in anonymously (login + profile), then open one realm per mode in {@code modes} (default {@code pbs,flx})
     * and wait until its sync WebSocket is connected. Sessions beyond the upgrade are not required to work.
     * Params: {@code modes}, {@code partition} (default {@code "probe-partition"}), {@code connectTimeoutMs},
     * {@code sleepBeforeOpenMs} (let the access token expire first). Reports the {@code iat} of the access token at
     * login and after connecting (they differ if the client had to refresh).
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

        result.put("access_iat_at_login", issuedAt(RI.realm_user_get_access_token(user)));
        Thread.sleep(Long.parseLong(params.getOrDefault("sleepBeforeOpenMs", "0")));
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
        result.put("access_iat_now", issuedAt(RI.realm_user_get_access_token(user)));
    }

    /**
     * Log in, open a PBS realm ({@code mode=pbs}, default; partition {@code partition}) or an FLX realm subscribed to
     * all Items ({@code mode=flx}), write {@code count} Items named {@code prefix-i} in one transaction and wait for
     * upload completion ({@code timeoutMs}). Fails if the upload does not complete. Needs the session layer.
     */
    static void write(final RealmClient client, final Map<String, String> params, final JsonLine result)
        throws Exception
    {
        final NativePointer<LiveRealmT> realm = openForData(client, params, result);
        final int count = Integer.parseInt(params.getOrDefault("count", "1"));
        RealmClient.writeItems(realm, params.getOrDefault("prefix", "item"), count);
        final String upload = RealmClient.awaitUpload(realm, timeoutMs(params));
        result.put("written", count).put("upload_error", upload);
        if (null != upload)
        {
            throw new IllegalStateException("upload not complete: " + upload);
        }
        result.put("count", RealmClient.countItems(realm));
    }

    /**
     * Log in (a new user), open the realm as in {@link #write}, wait for download completion and until at least
     * {@code expect} Items are present ({@code timeoutMs}). Fails if fewer arrive. Needs the session layer.
     */
    static void read(final RealmClient client, final Map<String, String> params, final JsonLine result)
        throws Exception
    {
        final NativePointer<LiveRealmT> realm = openForData(client, params, result);
        final long expect = Long.parseLong(params.getOrDefault("expect", "1"));
        final long deadline = System.nanoTime() + timeoutMs(params) * 1_000_000L;
        result.put("download_error", RealmClient.awaitDownload(realm, timeoutMs(params)));
        long count = RealmClient.countItems(realm);
        while (count < expect && System.nanoTime() < deadline)
        {
            Thread.sleep(50);
            count = RealmClient.countItems(realm);
        }
        result.put("count", count);
        if (count < expect)
        {
            throw new IllegalStateException("expected at least " + expect + " items, have " + count);
        }
    }

    /**
     * Like {@link #write} but with sync paused while writing (offline edits), then resumed: the upload must complete
     * after the resume. Needs the session layer.
     */
    static void offlineWrite(final RealmClient client, final Map<String, String> params, final JsonLine result)
        throws Exception
    {
        final NativePointer<LiveRealmT> realm = openForData(client, params, result);
        RealmClient.pause(realm);
        final int count = Integer.parseInt(params.getOrDefault("count", "1"));
        RealmClient.writeItems(realm, params.getOrDefault("prefix", "offline"), count);
        RealmClient.resume(realm);
        final String upload = RealmClient.awaitUpload(realm, timeoutMs(params));
        result.put("written", count).put("upload_error", upload);
        if (null != upload)
        {
            throw new IllegalStateException("upload not complete after resume: " + upload);
        }
    }

    private static NativePointer<LiveRealmT> openForData(
        final RealmClient client, final Map<String, String> params, final JsonLine result)
        throws Exception
    {
        final NativePointer<RealmUserT> user = client.loginAnonymous(30);
        result.put("user_id", RI.realm_user_get_identity(user));
        final boolean flx = "flx".equals(params.getOrDefault("mode", "pbs"));
        final NativePointer<LiveRealmT> realm = client.open(user,
            flx ? null : params.getOrDefault("partition", "\"probe-partition\""), flx ? "flx.realm" : "pbs.realm");
        result.put("connect_ms", RealmClient.awaitConnected(realm, timeoutMs(params)));
        if (flx)
        {
            result.put("subscription_version", RealmClient.subscribeAll(realm));
        }
        return realm;
    }

    private static long timeoutMs(final Map<String, String> params)
    {
        return Long.parseLong(params.getOrDefault("timeoutMs", "20000"));
    }

    /**
     * @return the integer {@code iat} claim of a JWT (the client parses it the same way).
     */
    static long issuedAt(final String jwt)
    {
        final String payload = new String(java.util.Base64.getUrlDecoder().decode(jwt.split("\\.")[1]),
            java.nio.charset.StandardCharsets.UTF_8);
        final java.util.regex.Matcher m = java.util.regex.Pattern.compile("\"iat\":(\\d+)").matcher(payload);
        return m.find() ? Long.parseLong(m.group(1)) : -1;
    }
}
