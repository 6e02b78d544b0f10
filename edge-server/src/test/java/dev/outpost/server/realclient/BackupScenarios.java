package dev.outpost.server.realclient;

import io.realm.kotlin.internal.interop.LiveRealmT;
import io.realm.kotlin.internal.interop.NativePointer;
import io.realm.kotlin.internal.interop.RealmUserT;
import io.realm.kotlin.internal.interop.sync.SyncSessionResyncMode;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static dev.outpost.server.realclient.RealmClient.RI;

/**
 * Backup and restore scenarios (see {@code RealClientBackupRestoreIT}): a client that synced before a backup comes
 * back to a server restored from it.
 */
final class BackupScenarios
{
    private static final long TIMEOUT_MS = 60_000;

    private BackupScenarios()
    {
    }

    static void register(final Map<String, Scenario> all)
    {
        all.put("backup-continue", BackupScenarios::resume);
    }

    /**
     * Params: partition (none: FLX, with the subscription the file holds), file (default a.realm), prefix, count,
     * expect. The user stored in the client directory (logged in by an earlier run; no new login) refreshes its access
     * token through realm-core's own client (POST auth/session with its stored refresh token); then the realm is opened
     * again in recover mode (so a client reset would be performed and reported, {@code resets}), downloads, writes
     * {@code count} Items {@code prefix-i}, uploads, and waits until it holds {@code expect} Items. Reports the user,
     * whether the access token changed, the callbacks, the Items' names and the sync errors the handler saw.
     */
    static void resume(final RealmClient client, final Map<String, String> params, final JsonLine result)
        throws Exception
    {
        RealmClient.resyncMode = SyncSessionResyncMode.RLM_SYNC_SESSION_RESYNC_MODE_RECOVER;
        // the user stored in the client directory, not a new login
        final NativePointer<RealmUserT> user = RI.realm_app_get_current_user(client.app);
        if (null == user)
        {
            throw new IllegalStateException("no user stored in " + client.dir);
        }
        result.put("users", RI.realm_app_get_all_users(client.app).size());
        result.put("user_id", RI.realm_user_get_identity(user));
        final String before = RI.realm_user_get_access_token(user);
        client.refreshCustomData(user, 30);
        final String after = RI.realm_user_get_access_token(user);
        result.put("refreshed", !before.equals(after));
        result.put("access_iat_before", Scenarios.issuedAt(before));
        result.put("access_iat_after", Scenarios.issuedAt(after));
        result.put("logged_in", RI.realm_user_is_logged_in(user));

        final NativePointer<LiveRealmT> realm = client.open(user, params.get("partition"),
            params.getOrDefault("file", "a.realm"));
        check("download", RealmClient.awaitDownload(realm, TIMEOUT_MS));
        RealmClient.writeItems(realm, params.get("prefix"), Integer.parseInt(params.get("count")));
        check("upload", RealmClient.awaitUpload(realm, TIMEOUT_MS));
        final long expect = Long.parseLong(params.get("expect"));
        final long deadline = System.currentTimeMillis() + TIMEOUT_MS;
        List<String> items = List.of();
        while (System.currentTimeMillis() < deadline)
        {
            check("download", RealmClient.awaitDownload(realm, TIMEOUT_MS));
            RI.realm_refresh(realm);
            items = SyncScenarios.dump(realm);
            if (items.size() >= expect)
            {
                break;
            }
            Thread.sleep(100);
        }
        final List<String> names = new ArrayList<>();
        for (final String line : items)
        {
            names.add(SyncScenarios.field(line, "name"));
        }
        result.put("names", String.join(",", names));
        final List<String> resets = new ArrayList<>();
        RealmClient.RESETS.drainTo(resets);
        result.put("resets", String.join(",", resets));
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
