package dev.outpost.server.realclient;

import io.realm.kotlin.internal.interop.LiveRealmT;
import io.realm.kotlin.internal.interop.NativePointer;
import io.realm.kotlin.internal.interop.RealmUserT;

import java.util.Map;
import java.util.concurrent.TimeUnit;

import static dev.outpost.server.realclient.RealmClient.RI;

/** Scenarios of a client refused by permission rules (see {@code RealClientPermissionsIT}). */
final class PermissionScenarios
{
    private static final long TIMEOUT_MS = 60_000;

    private PermissionScenarios()
    {
    }

    static void register(final Map<String, Scenario> all)
    {
        all.put("pbs-denied", PermissionScenarios::denied);
    }

    /**
     * Params: partition, file, write (Items to write after opening, default 0), and the login params of
     * {@link RealmClient#login}. Opens the partition (and writes), then waits for the sync error handler to report
     * an error; reports it and the Items the realm holds.
     */
    static void denied(final RealmClient client, final Map<String, String> params, final JsonLine result)
        throws Exception
    {
        final NativePointer<RealmUserT> user = client.login(params, 30);
        final NativePointer<LiveRealmT> realm = client.open(user, params.get("partition"),
            params.getOrDefault("file", "denied.realm"));
        final int write = Integer.parseInt(params.getOrDefault("write", "0"));
        if (write > 0)
        {
            result.put("download_error", RealmClient.awaitDownload(realm, TIMEOUT_MS));
            RI.realm_refresh(realm);
            result.put("count_before", SyncScenarios.dump(realm).size());
            RealmClient.writeItems(realm, params.getOrDefault("prefix", "denied"), write);
        }
        final var error = RealmClient.SYNC_ERRORS.poll(TIMEOUT_MS, TimeUnit.MILLISECONDS);
        if (error == null)
        {
            throw new IllegalStateException("no sync error reported");
        }
        result.put("fatal", error.isFatal());
        result.put("client_reset_requested", error.isClientResetRequested());
        result.put("error_code", String.valueOf(error.getErrorCode().getErrorCode()));
        result.put("error_native", error.getErrorCode().getErrorCodeNativeValue());
        result.put("error_message", error.getErrorCode().getMessage());
    }
}
