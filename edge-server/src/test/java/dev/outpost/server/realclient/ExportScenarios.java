package dev.outpost.server.realclient;

import io.realm.kotlin.internal.interop.LiveRealmT;
import io.realm.kotlin.internal.interop.NativePointer;
import io.realm.kotlin.internal.interop.RealmUserT;
import io.realm.kotlin.internal.interop.sync.SyncError;

import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static dev.outpost.server.realclient.RealmClient.RI;

/**
 * Scenarios of a server started from an App Services export (sync settings enforced): FLX sync of users of the
 * export's providers with asymmetric (Data Ingest) inserts, and the errors the client reports for what the
 * export refuses.
 */
final class ExportScenarios
{
    private static final long TIMEOUT_MS = 60_000;

    private ExportScenarios()
    {
    }

    static void register(final Map<String, Scenario> all)
    {
        all.put("export-flx", ExportScenarios::flx);
        all.put("flx-sync-error", ExportScenarios::flxSyncError);
    }

    /**
     * Log in as {@link RealmClient#login} says; client file W (schema Item + asymmetric Event) subscribes to all
     * Items, writes {@code count} Items and {@code events} Events, waits for upload; client file R (same schema)
     * subscribes to all Items and must receive the Items. Reports counts and every sync error.
     */
    static void flx(final RealmClient client, final Map<String, String> params, final JsonLine result)
        throws Exception
    {
        final NativePointer<RealmUserT> user = client.login(params, 30);
        result.put("user_id", RI.realm_user_get_identity(user));
        final int count = Integer.parseInt(params.getOrDefault("count", "3"));
        final int events = Integer.parseInt(params.getOrDefault("events", "0"));
        final NativePointer<LiveRealmT> w = client.open(user, null, "export-w.realm", "event");
        result.put("w_query_version", RealmClient.subscribeAll(w));
        check("w download", RealmClient.awaitDownload(w, TIMEOUT_MS));
        RealmClient.writeItems(w, params.getOrDefault("prefix", "item"), count);
        if (events > 0)
        {
            RealmClient.writeEvents(w, params.getOrDefault("eventPrefix", "event"), events);
        }
        check("w upload", RealmClient.awaitUpload(w, TIMEOUT_MS));
        result.put("w_items", RealmClient.countItems(w));

        final NativePointer<LiveRealmT> r = client.open(user, null, "export-r.realm", "event");
        result.put("r_query_version", RealmClient.subscribeAll(r));
        long seen = 0;
        final long deadline = System.currentTimeMillis() + TIMEOUT_MS;
        while (System.currentTimeMillis() < deadline)
        {
            check("r download", RealmClient.awaitDownload(r, TIMEOUT_MS));
            seen = RealmClient.countItems(r);
            if (seen >= count)
            {
                break;
            }
            Thread.sleep(100);
        }
        result.put("r_items", seen);
        final List<String> items = SyncScenarios.dump(r);
        for (final String line : items)
        {
            result.add("r_names", line);
        }
        result.put("sync_errors", RealmClient.SYNC_ERRORS.size());
    }

    /**
     * Log in anonymously, open an FLX realm (with {@code extra} as {@link RealmClient#open} takes it), subscribe to
     * all Items, write one Item and wait for the sync error handler to report an error; reports it.
     */
    static void flxSyncError(final RealmClient client, final Map<String, String> params, final JsonLine result)
        throws Exception
    {
        final NativePointer<RealmUserT> user = client.loginAnonymous(30);
        final NativePointer<LiveRealmT> realm = client.open(user, null, "flx-error.realm", params.get("extra"));
        try
        {
            RealmClient.subscribeAll(realm);
            RealmClient.writeItems(realm, "refused", 1);
        }
        catch (final RuntimeException ex)
        {
            result.put("local_error", String.valueOf(ex.getMessage()));
        }
        final SyncError error = RealmClient.SYNC_ERRORS.poll(TIMEOUT_MS, TimeUnit.MILLISECONDS);
        if (error == null)
        {
            throw new IllegalStateException("no sync error reported");
        }
        result.put("fatal", error.isFatal());
        result.put("client_reset_requested", error.isClientResetRequested());
        result.put("error_code", String.valueOf(error.getErrorCode().getErrorCode()));
        result.put("error_message", error.getErrorCode().getMessage());
        result.put("error", String.valueOf(error));
    }

    private static void check(final String what, final String error)
    {
        if (error != null)
        {
            throw new IllegalStateException(what + ": " + error);
        }
    }
}
