package dev.outpost.server.realclient;

import io.realm.kotlin.internal.interop.LiveRealmT;
import io.realm.kotlin.internal.interop.NativePointer;
import io.realm.kotlin.internal.interop.RealmUserT;
import io.realm.kotlin.internal.interop.sync.SyncSessionResyncMode;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static dev.outpost.server.realclient.RealmClient.RI;

/**
 * Client reset scenarios (see {@code RealClientClientResetIT}): a client writes while offline, stays away longer than
 * the server's {@code client-max-offline}, and reconnects in an automatic resync mode.
 */
final class ResetScenarios
{
    private static final long TIMEOUT_MS = 60_000;

    private ResetScenarios()
    {
    }

    static void register(final Map<String, Scenario> all)
    {
        all.put("reset-prepare", ResetScenarios::prepare);
        all.put("reset-reconnect", ResetScenarios::reconnect);
        all.put("reset-live", ResetScenarios::live);
    }

    /**
     * Params: partition, count, file (default l.realm). Opens the realm in discard mode, writes {@code count} Items
     * {@code base-i} and waits for their upload, then creates the file {@code ready} in the client directory and,
     * with the session still open, waits for a client reset the server causes (the after-callback); reports the
     * callbacks ({@code resets}), the Items' names after it and the sync errors the handler saw.
     */
    static void live(final RealmClient client, final Map<String, String> params, final JsonLine result)
        throws Exception
    {
        RealmClient.resyncMode = SyncSessionResyncMode.RLM_SYNC_SESSION_RESYNC_MODE_DISCARD_LOCAL;
        final NativePointer<RealmUserT> user = client.login(params, 30);
        final NativePointer<LiveRealmT> realm = client.open(user, params.get("partition"),
            params.getOrDefault("file", "l.realm"));
        check("download", RealmClient.awaitDownload(realm, TIMEOUT_MS));
        final int count = Integer.parseInt(params.get("count"));
        RealmClient.writeItems(realm, "base", count);
        check("upload", RealmClient.awaitUpload(realm, TIMEOUT_MS));
        RI.realm_refresh(realm);
        result.put("count_before", RealmClient.countItems(realm));
        java.nio.file.Files.writeString(new java.io.File(client.dir, "ready").toPath(), "ready");
        awaitResetAndReport(realm, result);
    }

    private static void awaitResetAndReport(final NativePointer<LiveRealmT> realm, final JsonLine result)
        throws Exception
    {
        final List<String> resets = new ArrayList<>();
        final long deadline = System.currentTimeMillis() + TIMEOUT_MS;
        while (resets.stream().noneMatch(r -> r.startsWith("after")) && System.currentTimeMillis() < deadline)
        {
            final String r = RealmClient.RESETS.poll(500, TimeUnit.MILLISECONDS);
            if (null != r)
            {
                resets.add(r);
            }
        }
        result.put("resets", String.join(",", resets));
        check("download", RealmClient.awaitDownload(realm, TIMEOUT_MS));
        check("upload", RealmClient.awaitUpload(realm, TIMEOUT_MS));
        RI.realm_refresh(realm);
        final List<String> names = new ArrayList<>();
        for (final String line : SyncScenarios.dump(realm))
        {
            names.add(SyncScenarios.field(line, "name"));
        }
        result.put("names", String.join(",", names));
        final List<String> errors = new ArrayList<>();
        RealmClient.SYNC_ERRORS.forEach(e -> errors.add(String.valueOf(e)));
        result.put("errors", String.join(" | ", errors));
    }

    /**
     * Params: partition (none: FLX, subscribed to all Items), count, file (default r.realm), base and local (the name
     * prefixes, default {@code base} and {@code local}). Writes {@code count} Items {@code base-i} and waits for their
     * upload, then pauses sync and writes {@code count} Items {@code local-i} that stay unsynced in the file.
     */
    static void prepare(final RealmClient client, final Map<String, String> params, final JsonLine result)
        throws Exception
    {
        final NativePointer<RealmUserT> user = client.login(params, 30);
        final NativePointer<LiveRealmT> realm = client.open(user, params.get("partition"),
            params.getOrDefault("file", "r.realm"));
        if (null == params.get("partition"))
        {
            RealmClient.subscribeAll(realm); // FLX: all Items (the file keeps the subscription for reconnect)
        }
        check("download", RealmClient.awaitDownload(realm, TIMEOUT_MS));
        final int count = Integer.parseInt(params.get("count"));
        RealmClient.writeItems(realm, params.getOrDefault("base", "base"), count);
        check("upload", RealmClient.awaitUpload(realm, TIMEOUT_MS));
        RealmClient.pause(realm);
        RealmClient.writeItems(realm, params.getOrDefault("local", "local"), count);
        RI.realm_refresh(realm);
        result.put("count", RealmClient.countItems(realm));
        RI.realm_close(realm);
    }

    /**
     * Params: partition (none: FLX, the file's subscription), file (default r.realm), resync ({@code recover} or {@code
     * discard}). Opens the file again in that resync mode, waits for the client reset's after-callback, then for
     * download and upload; reports the callbacks ({@code resets}), the Items' names and the sync errors the handler
     * saw.
     */
    static void reconnect(final RealmClient client, final Map<String, String> params, final JsonLine result)
        throws Exception
    {
        RealmClient.resyncMode = "discard".equals(params.get("resync")) ?
            SyncSessionResyncMode.RLM_SYNC_SESSION_RESYNC_MODE_DISCARD_LOCAL :
            SyncSessionResyncMode.RLM_SYNC_SESSION_RESYNC_MODE_RECOVER;
        final NativePointer<RealmUserT> user = client.login(params, 30);
        final NativePointer<LiveRealmT> realm = client.open(user, params.get("partition"),
            params.getOrDefault("file", "r.realm"));
        final List<String> resets = new ArrayList<>();
        final long deadline = System.currentTimeMillis() + TIMEOUT_MS;
        while (resets.stream().noneMatch(r -> r.startsWith("after")) && System.currentTimeMillis() < deadline)
        {
            final String r = RealmClient.RESETS.poll(500, TimeUnit.MILLISECONDS);
            if (null != r)
            {
                resets.add(r);
            }
        }
        result.put("resets", String.join(",", resets));
        check("download", RealmClient.awaitDownload(realm, TIMEOUT_MS));
        check("upload", RealmClient.awaitUpload(realm, TIMEOUT_MS));
        RI.realm_refresh(realm);
        final List<String> names = new ArrayList<>();
        for (final String line : SyncScenarios.dump(realm))
        {
            names.add(SyncScenarios.field(line, "name"));
        }
        result.put("names", String.join(",", names));
        final List<String> errors = new ArrayList<>();
        RealmClient.SYNC_ERRORS.forEach(e -> errors.add(String.valueOf(e)));
        result.put("errors", String.join(" | ", errors));
    }

    private static void check(final String what, final String error)
    {
        if (error != null)
        {
            throw new IllegalStateException(what + ": " + error);
        }
    }
}
