package dev.outpost.server.realclient;

import io.realm.kotlin.internal.interop.LiveRealmT;
import io.realm.kotlin.internal.interop.NativePointer;
import io.realm.kotlin.internal.interop.RealmUserT;

import java.util.List;
import java.util.Map;

import static dev.outpost.server.realclient.RealmClient.RI;

/**
 * Scenarios of an honest real client on a partition a hostile peer has tried to poison (see
 * {@code RealClientHostileInputIT}).
 */
final class HostileScenarios
{
    private static final long TIMEOUT_MS = 60_000;

    private HostileScenarios()
    {
    }

    static void register(final Map<String, Scenario> all)
    {
        all.put("pbs-survive", HostileScenarios::survive);
    }

    /**
     * Params: partition, count, prefix, file, and the login params of {@link RealmClient#login}. Opens the
     * partition and downloads everything the server holds (a poisoned changeset would be integrated here), writes
     * {@code count} Items, uploads them and reads the Items back. Reports the first sync error the client saw.
     */
    static void survive(final RealmClient client, final Map<String, String> params, final JsonLine result)
        throws Exception
    {
        final NativePointer<RealmUserT> user = client.login(params, 30);
        final NativePointer<LiveRealmT> realm = client.open(user, params.get("partition"),
            params.getOrDefault("file", "survivor.realm"));
        result.put("download_error", RealmClient.awaitDownload(realm, TIMEOUT_MS));
        RI.realm_refresh(realm);
        final int count = Integer.parseInt(params.get("count"));
        RealmClient.writeItems(realm, params.get("prefix"), count);
        result.put("upload_error", RealmClient.awaitUpload(realm, TIMEOUT_MS));
        RI.realm_refresh(realm);
        final List<String> items = SyncScenarios.dump(realm);
        result.put("count", items.size());
        for (final String line : items)
        {
            result.add("items", line);
        }
        final var error = RealmClient.SYNC_ERRORS.poll();
        result.put("sync_error", error == null ? null : error.getErrorCode().getMessage());
    }
}
