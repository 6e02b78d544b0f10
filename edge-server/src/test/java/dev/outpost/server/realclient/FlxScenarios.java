package dev.outpost.server.realclient;

import io.realm.kotlin.internal.interop.LiveRealmT;
import io.realm.kotlin.internal.interop.NativePointer;
import io.realm.kotlin.internal.interop.RealmQueryT;
import io.realm.kotlin.internal.interop.RealmUserT;
import io.realm.kotlin.internal.interop.LongPointerWrapper;
import io.realm.kotlin.internal.interop.realmc;
import io.realm.kotlin.internal.interop.sync.CoreCompensatingWriteInfo;
import io.realm.kotlin.internal.interop.sync.SyncError;

import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static dev.outpost.server.realclient.RealmClient.ITEM;
import static dev.outpost.server.realclient.RealmClient.RI;
import static dev.outpost.server.realclient.RealmClient.ptr;

/** FLX scenarios beyond the basic one of {@link SyncScenarios}: compensating writes, narrow query views. */
final class FlxScenarios
{
    private static final long TIMEOUT_MS = 60_000;

    private FlxScenarios()
    {
    }

    static void register(final Map<String, Scenario> all)
    {
        all.put("flx-compensating-write", FlxScenarios::compensatingWrite);
        all.put("flx-query-view", FlxScenarios::queryView);
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
            final String pk = RealmClient.COMPENSATING_KEYS.poll();
            result.put("cw_pk", pk);
            result.put("w_id", writtenId);
            result.put("cw_pk_matches", writtenId.equals(pk));
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

    /**
     * Narrow subscriptions: W (all Items) writes x-0..x-2 and y-0..y-1; R subscribes {@code name BEGINSWITH 'x-'}
     * and must hold exactly the x- Items; W renames y-0 to x-9 (enters R's view) and x-0 to z-0 (leaves it); R
     * changes its subscription to {@code name IN {'z-0', 'y-1'}} (re-bootstrap); then R subscribes on a field the
     * app did not declare queryable: the set goes to Error and R keeps the previous view.
     */
    static void queryView(final RealmClient client, final Map<String, String> params, final JsonLine result)
        throws Exception
    {
        final NativePointer<RealmUserT> user = client.loginAnonymous(30);
        final NativePointer<LiveRealmT> w = client.open(user, null, "flx-qv-w.realm");
        check("w download", RealmClient.awaitDownload(w, TIMEOUT_MS));
        RealmClient.subscribeAll(w);
        check("w download", RealmClient.awaitDownload(w, TIMEOUT_MS));
        RealmClient.writeItems(w, "x", 3);
        RealmClient.writeItems(w, "y", 2);
        check("w upload", RealmClient.awaitUpload(w, TIMEOUT_MS));

        final NativePointer<LiveRealmT> r = client.open(user, null, "flx-qv-r.realm");
        check("r download", RealmClient.awaitDownload(r, TIMEOUT_MS));
        result.put("r_state_1", awaitState(subscribe(r, "name BEGINSWITH 'x-'")));
        result.put("r_names_1", String.join(",", awaitNames(r, 3)));

        rename(w, "y-0", "x-9");
        check("w upload", RealmClient.awaitUpload(w, TIMEOUT_MS));
        result.put("r_names_2", String.join(",", awaitNames(r, 4)));
        rename(w, "x-0", "z-0");
        check("w upload", RealmClient.awaitUpload(w, TIMEOUT_MS));
        result.put("r_names_3", String.join(",", awaitNames(r, 3)));

        result.put("r_state_4", awaitState(subscribe(r, "name IN {'z-0', 'y-1'}")));
        result.put("r_names_4", String.join(",", awaitNames(r, 2)));

        final NativePointer<io.realm.kotlin.internal.interop.RealmSubscriptionSetT> refused =
            subscribe(r, "color == 'red'");
        result.put("r_state_5", awaitState(refused));
        result.put("r_error_5", String.valueOf(RI.realm_sync_subscriptionset_error_str(refused)));
        rename(w, "y-1", "y-1b"); // leaves the previous view (name IN {...}): it still follows the data
        check("w upload", RealmClient.awaitUpload(w, TIMEOUT_MS));
        result.put("r_names_5", String.join(",", awaitNames(r, 1)));

        // a range and an equality: size in [2, 4) or name == 'z-0'
        setSize(w, "x-1", 2);
        setSize(w, "x-2", 3);
        setSize(w, "x-9", 5);
        check("w upload", RealmClient.awaitUpload(w, TIMEOUT_MS));
        result.put("r_state_6", awaitState(subscribe(r, "size >= 2 AND size < 4 OR name == 'z-0'")));
        result.put("r_names_6", String.join(",", awaitNames(r, 3)));
        result.put("more_errors", RealmClient.SYNC_ERRORS.size());
    }

    /** Replace R's subscriptions with one on Item; @return the committed set. */
    private static NativePointer<io.realm.kotlin.internal.interop.RealmSubscriptionSetT> subscribe(
        final NativePointer<LiveRealmT> realm, final String rql) throws InterruptedException
    {
        for (int attempt = 1; ; attempt++)
        {
            try
            {
                RI.realm_refresh(realm);
                final var mutable = RI.realm_sync_make_subscriptionset_mutable(
                    RI.realm_sync_get_latest_subscriptionset(realm));
                RI.realm_sync_subscriptionset_clear(mutable);
                final long query = realmc.realm_query_parse(ptr(realm), RealmClient.classKey(realm, ITEM), rql, 0,
                    realmc.new_queryArgArray(0));
                RI.realm_sync_subscriptionset_insert_or_assign(mutable,
                    new LongPointerWrapper<RealmQueryT>(query, false), "q");
                return RI.realm_sync_subscriptionset_commit(mutable);
            }
            catch (final IllegalStateException ex)
            {
                if (attempt >= 5)
                {
                    throw ex;
                }
                Thread.sleep(100);
            }
        }
    }

    /** @return the set's state once it is complete or erred (or its state at the timeout). */
    private static String awaitState(final NativePointer<io.realm.kotlin.internal.interop.RealmSubscriptionSetT> set)
        throws InterruptedException
    {
        final long deadline = System.currentTimeMillis() + TIMEOUT_MS;
        String state = "";
        while (System.currentTimeMillis() < deadline)
        {
            RI.realm_sync_subscriptionset_refresh(set);
            state = String.valueOf(RI.realm_sync_subscriptionset_state(set));
            if (state.contains("COMPLETE") || state.contains("ERROR"))
            {
                return state;
            }
            Thread.sleep(50);
        }
        return state;
    }

    /** @return R's Item names once it holds {@code count} Items (or what it holds at the timeout), sorted. */
    private static List<String> awaitNames(final NativePointer<LiveRealmT> realm, final int count)
        throws InterruptedException
    {
        final long deadline = System.currentTimeMillis() + TIMEOUT_MS;
        List<String> names = List.of();
        while (System.currentTimeMillis() < deadline)
        {
            RI.realm_refresh(realm);
            names = names(realm);
            if (names.size() == count)
            {
                Thread.sleep(300); // nothing more arrives
                RI.realm_refresh(realm);
                return names(realm);
            }
            Thread.sleep(50);
        }
        return names;
    }

    private static List<String> names(final NativePointer<LiveRealmT> realm)
    {
        final List<String> out = new java.util.ArrayList<>();
        for (final String line : SyncScenarios.dump(realm))
        {
            final int at = line.indexOf(" name=");
            out.add(line.substring(at + 6, line.indexOf(' ', at + 6)));
        }
        java.util.Collections.sort(out);
        return out;
    }

    private static void setSize(final NativePointer<LiveRealmT> realm, final String name, final long size)
    {
        RI.realm_begin_write(realm);
        SyncScenarios.set(realm, SyncScenarios.find(realm, idOf(realm, name)), "size", SyncScenarios.integer(size));
        RI.realm_commit(realm);
    }

    private static String idOf(final NativePointer<LiveRealmT> realm, final String name)
    {
        RI.realm_refresh(realm);
        for (final String line : SyncScenarios.dump(realm))
        {
            if (line.contains(" name=" + name + " "))
            {
                return line.substring(0, 24);
            }
        }
        throw new IllegalStateException("no Item named " + name);
    }

    private static void rename(final NativePointer<LiveRealmT> realm, final String from, final String to)
    {
        RI.realm_refresh(realm);
        String hex = null;
        for (final String line : SyncScenarios.dump(realm))
        {
            if (line.contains(" name=" + from + " "))
            {
                hex = line.substring(0, 24);
            }
        }
        if (hex == null)
        {
            throw new IllegalStateException("no Item named " + from);
        }
        RI.realm_begin_write(realm);
        SyncScenarios.set(realm, SyncScenarios.find(realm, hex), "name", SyncScenarios.str(to));
        RI.realm_commit(realm);
    }

    private static void check(final String what, final String error)
    {
        if (error != null)
        {
            throw new IllegalStateException(what + ": " + error);
        }
    }
}
