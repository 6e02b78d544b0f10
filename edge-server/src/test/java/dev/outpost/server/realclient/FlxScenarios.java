package dev.outpost.server.realclient;

import io.realm.kotlin.internal.interop.LiveRealmT;
import io.realm.kotlin.internal.interop.NativePointer;
import io.realm.kotlin.internal.interop.RealmQueryT;
import io.realm.kotlin.internal.interop.RealmUserT;
import io.realm.kotlin.internal.interop.LongPointerWrapper;
import io.realm.kotlin.internal.interop.realm_value_t;
import io.realm.kotlin.internal.interop.realmc;
import io.realm.kotlin.internal.interop.sync.CoreCompensatingWriteInfo;
import io.realm.kotlin.internal.interop.sync.SyncError;

import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static dev.outpost.server.realclient.RealmClient.ITEM;
import static dev.outpost.server.realclient.RealmClient.RI;
import static dev.outpost.server.realclient.RealmClient.ptr;

/** FLX scenarios beyond the basic one of {@link SyncScenarios}: compensating writes. */
final class FlxScenarios
{
    private static final long TIMEOUT_MS = 60_000;

    private FlxScenarios()
    {
    }

    static void register(final Map<String, Scenario> all)
    {
        all.put("flx-compensating-write", FlxScenarios::compensatingWrite);
    }

    /**
     * Client file W subscribes to Items with a query the server does not serve (query_error 226: the server's view
     * of W stays empty, while W's latest subscription set names Item, so realm lets it write Items), writes one
     * Item, and must see it reverted with a compensating-write error; client file R, subscribed to all Items, must
     * never receive it.
     */
    static void compensatingWrite(final RealmClient client, final Map<String, String> params, final JsonLine result)
        throws Exception
    {
        final NativePointer<RealmUserT> user = client.loginAnonymous(30);
        final NativePointer<LiveRealmT> w = client.open(user, null, "flx-cw-w.realm");
        check("w download", RealmClient.awaitDownload(w, TIMEOUT_MS));
        RI.realm_refresh(w);
        final var mutable = RI.realm_sync_make_subscriptionset_mutable(RI.realm_sync_get_latest_subscriptionset(w));
        final long query = realmc.realm_query_parse(ptr(w), RealmClient.classKey(w, ITEM), "name == 'only-this'", 0,
            realmc.new_queryArgArray(0));
        RI.realm_sync_subscriptionset_insert_or_assign(mutable, new LongPointerWrapper<RealmQueryT>(query, false),
            "narrow");
        result.put("w_query_version", RI.realm_sync_subscriptionset_version(
            RI.realm_sync_subscriptionset_commit(mutable)));

        RealmClient.writeItems(w, params.getOrDefault("prefix", "cw"), 1);
        RI.realm_refresh(w);
        final List<String> written = SyncScenarios.dump(w);
        result.put("w_written", written.size());
        final String writtenId = written.isEmpty() ? "" : written.get(0).substring(0, 24);
        check("w upload", RealmClient.awaitUpload(w, TIMEOUT_MS));

        final SyncError error = RealmClient.SYNC_ERRORS.poll(TIMEOUT_MS, TimeUnit.MILLISECONDS);
        if (error == null)
        {
            throw new IllegalStateException("no compensating write reported");
        }
        result.put("error_code", String.valueOf(error.getErrorCode().getErrorCode()));
        result.put("error_message", error.getErrorCode().getMessage());
        result.put("fatal", error.isFatal());
        result.put("client_reset_requested", error.isClientResetRequested());
        final CoreCompensatingWriteInfo[] infos = error.getCompensatingWrites();
        result.put("compensating_writes", infos == null ? 0 : infos.length);
        if (infos != null && infos.length > 0)
        {
            result.put("cw_object", infos[0].getObjectName());
            result.put("cw_reason", infos[0].getReason());
            final realm_value_t pk = (realm_value_t)infos[0].getClass().getMethod("getPrimaryKey-uWG8uMY")
                .invoke(infos[0]);
            result.put("cw_pk_matches", writtenId.equals(hex(pk.getObject_id().getBytes())));
        }

        // the revert came in the same download as the error's server version: the Item is gone locally
        int left = -1;
        final long deadline = System.currentTimeMillis() + TIMEOUT_MS;
        while (System.currentTimeMillis() < deadline)
        {
            RI.realm_refresh(w);
            left = SyncScenarios.dump(w).size();
            if (left == 0)
            {
                break;
            }
            Thread.sleep(50);
        }
        result.put("w_count_after", left);

        // the session goes on: still connected, uploads and downloads complete
        check("w upload after", RealmClient.awaitUpload(w, TIMEOUT_MS));
        check("w download after", RealmClient.awaitDownload(w, TIMEOUT_MS));

        final NativePointer<LiveRealmT> r = client.open(user, null, "flx-cw-r.realm");
        check("r download", RealmClient.awaitDownload(r, TIMEOUT_MS));
        result.put("r_query_version", RealmClient.subscribeAll(r));
        for (int i = 0; i < 3; i++)
        {
            check("r download", RealmClient.awaitDownload(r, TIMEOUT_MS));
            Thread.sleep(100);
        }
        RI.realm_refresh(r);
        result.put("r_count", SyncScenarios.dump(r).size());
        result.put("more_errors", RealmClient.SYNC_ERRORS.size());
    }

    private static void check(final String what, final String error)
    {
        if (error != null)
        {
            throw new IllegalStateException(what + ": " + error);
        }
    }

    private static String hex(final short[] bytes)
    {
        final StringBuilder sb = new StringBuilder();
        for (final short b : bytes)
        {
            sb.append(String.format("%02x", b & 0xff));
        }
        return sb.toString();
    }
}
