package dev.outpost.server.realclient;

import io.realm.kotlin.internal.interop.LiveRealmT;
import io.realm.kotlin.internal.interop.NativePointer;
import io.realm.kotlin.internal.interop.RealmUserT;
import io.realm.kotlin.internal.interop.realm_object_id_t;
import io.realm.kotlin.internal.interop.realm_property_info_t;
import io.realm.kotlin.internal.interop.realm_value_t;
import io.realm.kotlin.internal.interop.realm_value_type_e;
import io.realm.kotlin.internal.interop.realmc;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import static dev.outpost.server.realclient.RealmClient.ITEM;
import static dev.outpost.server.realclient.RealmClient.RI;
import static dev.outpost.server.realclient.RealmClient.ptr;

/**
 * Sync scenarios run by the real client (see {@code RealClientSyncIT}). Each prints what it saw so the test can
 * compare clients with each other and with the server's object state. Items are dumped as canonical text lines
 * {@code <oid hex> name=<s> color=<s> size=<n> tags=[a,b]}, sorted by id.
 */
final class SyncScenarios
{
    private static final long TIMEOUT_MS = 60_000;

    private SyncScenarios()
    {
    }

    static void register(final Map<String, Scenario> all)
    {
        all.put("pbs-write", SyncScenarios::pbsWrite);
        all.put("pbs-read", SyncScenarios::pbsRead);
        all.put("converge", SyncScenarios::converge);
        all.put("flx", SyncScenarios::flx);
        all.put("await-sync-error", SyncScenarios::awaitSyncError);
    }

    /**
     * Params: partition, count, prefix, file, pad (random letters appended to each name, default 0), and the login
     * params of {@link RealmClient#login}. Writes
     * {@code count} Items in one transaction, waits for upload.
     */
    static void pbsWrite(final RealmClient client, final Map<String, String> params, final JsonLine result)
        throws Exception
    {
        final NativePointer<RealmUserT> user = client.login(params, 30);
        final NativePointer<LiveRealmT> realm = client.open(user, params.get("partition"),
            params.getOrDefault("file", "a.realm"));
        check("download", RealmClient.awaitDownload(realm, TIMEOUT_MS));
        final int count = Integer.parseInt(params.get("count"));
        final long start = System.nanoTime();
        RealmClient.writeItems(realm, params.get("prefix"), count, Integer.parseInt(params.getOrDefault("pad", "0")));
        check("upload", RealmClient.awaitUpload(realm, TIMEOUT_MS));
        result.put("upload_ms", (System.nanoTime() - start) / 1_000_000);
        RI.realm_refresh(realm);
        result.put("count", dump(realm).size());
    }

    /**
     * Params: partition, expect, file, names (default true), and the login params of {@link RealmClient#login}.
     * Waits until the realm holds {@code expect} Items; prints their names (or, with names=false, only the shortest
     * and longest name's length).
     */
    static void pbsRead(final RealmClient client, final Map<String, String> params, final JsonLine result)
        throws Exception
    {
        final NativePointer<RealmUserT> user = client.login(params, 30);
        final long start = System.nanoTime();
        final NativePointer<LiveRealmT> realm = client.open(user, params.get("partition"),
            params.getOrDefault("file", "b.realm"));
        final int expect = Integer.parseInt(params.get("expect"));
        List<String> items = List.of();
        final long deadline = System.currentTimeMillis() + TIMEOUT_MS;
        while (System.currentTimeMillis() < deadline)
        {
            check("download", RealmClient.awaitDownload(realm, TIMEOUT_MS));
            RI.realm_refresh(realm);
            items = dump(realm);
            if (items.size() >= expect)
            {
                break;
            }
            Thread.sleep(100);
        }
        result.put("download_ms", (System.nanoTime() - start) / 1_000_000);
        result.put("count", items.size());
        final boolean names = Boolean.parseBoolean(params.getOrDefault("names", "true"));
        int shortest = Integer.MAX_VALUE;
        int longest = 0;
        for (final String line : items)
        {
            final String name = field(line, "name");
            shortest = Math.min(shortest, name.length());
            longest = Math.max(longest, name.length());
            if (names)
            {
                result.add("names", name);
            }
        }
        result.put("shortest_name", shortest);
        result.put("longest_name", longest);
    }

    /**
     * Two client files (two realms of one user) on one partition: both start from the same synced objects, pause
     * sync, make conflicting changes, resume. Params: partition. Prints both final dumps.
     */
    static void converge(final RealmClient client, final Map<String, String> params, final JsonLine result)
        throws Exception
    {
        final NativePointer<RealmUserT> user = client.loginAnonymous(30);
        final String partition = params.get("partition");
        final NativePointer<LiveRealmT> a = client.open(user, partition, "conv-a.realm");
        final NativePointer<LiveRealmT> b = client.open(user, partition, "conv-b.realm");
        final String x = "0000000000000000000000aa";
        final String y = "0000000000000000000000bb";
        final String z = "0000000000000000000000cc";
        write(a, () ->
        {
            final long cls = RealmClient.classKey(a, ITEM);
            for (final String id : List.of(x, y, z))
            {
                final long o = realmc.realm_object_create_with_primary_key(ptr(a), cls, oid(id));
                set(a, o, "name", str("start"));
            }
            final long o = find(a, x);
            set(a, o, "color", str("grey"));
            set(a, o, "size", integer(1));
            listInsert(a, find(a, z), 0, "base");
        });
        sync(a, b);
        waitFor(b, 3);
        result.put("start_b", String.join("\n", dump(b)));

        RealmClient.pause(a);
        RealmClient.pause(b);
        write(a, () ->
        {
            set(a, find(a, x), "name", str("from-a"));
            set(a, find(a, x), "color", str("red"));
            realmc.realm_object_delete(find(a, y));
            listInsert(a, find(a, z), 0, "a1");
            listInsert(a, find(a, z), 2, "a2");
        });
        write(b, () ->
        {
            set(b, find(b, x), "name", str("from-b"));
            set(b, find(b, x), "size", integer(42));
            set(b, find(b, y), "name", str("updated-by-b"));
            listInsert(b, find(b, z), 0, "b1");
            listInsert(b, find(b, z), 2, "b2");
        });
        RealmClient.resume(a);
        RealmClient.resume(b);
        final long deadline = System.currentTimeMillis() + TIMEOUT_MS;
        List<String> da = List.of();
        List<String> db = List.of();
        while (System.currentTimeMillis() < deadline)
        {
            sync(a, b);
            sync(b, a);
            da = dump(a);
            db = dump(b);
            if (da.equals(db))
            {
                break;
            }
            Thread.sleep(200);
        }
        result.put("a", String.join("\n", da));
        result.put("b", String.join("\n", db));
    }

    /**
     * FLX: client file W writes {@code count} Items, client file R subscribes TRUEPREDICATE to Item and must receive
     * them. Params: count, prefix.
     */
    static void flx(final RealmClient client, final Map<String, String> params, final JsonLine result)
        throws Exception
    {
        final NativePointer<RealmUserT> user = client.loginAnonymous(30);
        final int count = Integer.parseInt(params.get("count"));
        final NativePointer<LiveRealmT> w = client.open(user, null, "flx-w.realm");
        result.put("w_query_version", RealmClient.subscribeAll(w));
        check("w download", RealmClient.awaitDownload(w, TIMEOUT_MS));
        RealmClient.writeItems(w, params.get("prefix"), count);
        check("w upload", RealmClient.awaitUpload(w, TIMEOUT_MS));

        final NativePointer<LiveRealmT> r = client.open(user, null, "flx-r.realm");
        check("r download", RealmClient.awaitDownload(r, TIMEOUT_MS));
        RI.realm_refresh(r);
        result.put("r_before_subscribe", dump(r).size());
        result.put("r_query_version", RealmClient.subscribeAll(r));
        List<String> items = List.of();
        final long deadline = System.currentTimeMillis() + TIMEOUT_MS;
        while (System.currentTimeMillis() < deadline)
        {
            check("r download", RealmClient.awaitDownload(r, TIMEOUT_MS));
            RI.realm_refresh(r);
            items = dump(r);
            if (items.size() >= count)
            {
                break;
            }
            Thread.sleep(100);
        }
        result.put("count", items.size());
        for (final String line : items)
        {
            result.add("names", field(line, "name"));
        }

        // dropping the subscription: the objects leave R's view
        for (int attempt = 1; ; attempt++)
        {
            try
            {
                RI.realm_refresh(r);
                final var mutable = RI.realm_sync_make_subscriptionset_mutable(
                    RI.realm_sync_get_latest_subscriptionset(r));
                RI.realm_sync_subscriptionset_clear(mutable);
                result.put("r_cleared_query_version",
                    RI.realm_sync_subscriptionset_version(RI.realm_sync_subscriptionset_commit(mutable)));
                break;
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
        final long until = System.currentTimeMillis() + TIMEOUT_MS;
        int left = items.size();
        while (System.currentTimeMillis() < until && left > 0)
        {
            check("r download", RealmClient.awaitDownload(r, TIMEOUT_MS));
            RI.realm_refresh(r);
            left = dump(r).size();
            Thread.sleep(100);
        }
        result.put("count_after_unsubscribe", left);
        RI.realm_refresh(w);
        result.put("w_count", dump(w).size());
    }

    /** Params: partition, file. Opens the realm and waits for the sync error handler to report an error. */
    static void awaitSyncError(final RealmClient client, final Map<String, String> params, final JsonLine result)
        throws Exception
    {
        final NativePointer<RealmUserT> user = client.loginAnonymous(30);
        final NativePointer<LiveRealmT> realm = client.open(user, params.get("partition"),
            params.getOrDefault("file", "a.realm"));
        final var error = RealmClient.SYNC_ERRORS.poll(TIMEOUT_MS, java.util.concurrent.TimeUnit.MILLISECONDS);
        if (error == null)
        {
            throw new IllegalStateException("no sync error reported");
        }
        result.put("client_reset_requested", error.isClientResetRequested());
        result.put("fatal", error.isFatal());
        result.put("error_code", String.valueOf(error.getErrorCode().getErrorCode()));
        result.put("error_message", error.getErrorCode().getMessage());
        RI.realm_refresh(realm);
        result.put("count", dump(realm).size());
    }

    // ---------------------------------------------------------------------------------------------------------------

    private static void check(final String what, final String error)
    {
        if (error != null)
        {
            throw new IllegalStateException(what + ": " + error);
        }
    }

    private static void sync(final NativePointer<LiveRealmT> from, final NativePointer<LiveRealmT> to)
        throws Exception
    {
        check("upload", RealmClient.awaitUpload(from, TIMEOUT_MS));
        check("download", RealmClient.awaitDownload(to, TIMEOUT_MS));
        RI.realm_refresh(from);
        RI.realm_refresh(to);
    }

    private static void waitFor(final NativePointer<LiveRealmT> realm, final int count) throws Exception
    {
        final long deadline = System.currentTimeMillis() + TIMEOUT_MS;
        while (System.currentTimeMillis() < deadline)
        {
            RI.realm_refresh(realm);
            if (dump(realm).size() >= count)
            {
                return;
            }
            check("download", RealmClient.awaitDownload(realm, TIMEOUT_MS));
            Thread.sleep(50);
        }
        throw new IllegalStateException("timeout waiting for " + count + " items");
    }

    private static void write(final NativePointer<LiveRealmT> realm, final Runnable body)
    {
        RI.realm_begin_write(realm);
        body.run();
        RI.realm_commit(realm);
    }

    static String field(final String line, final String name)
    {
        final int i = line.indexOf(" " + name + "=");
        final int start = i + name.length() + 2;
        int end = line.indexOf(' ', start);
        if (name.equals("tags"))
        {
            end = line.indexOf(']', start) + 1;
        }
        return line.substring(start, end < 0 ? line.length() : end);
    }

    /** @return every Item as a canonical line, sorted by id. */
    static List<String> dump(final NativePointer<LiveRealmT> realm)
    {
        final long cls = RealmClient.classKey(realm, ITEM);
        final long results = realmc.realm_object_find_all(ptr(realm), cls);
        final long[] n = {0};
        realmc.realm_results_count(results, n);
        final TreeMap<String, String> lines = new TreeMap<>();
        for (long i = 0; i < n[0]; i++)
        {
            final long o = realmc.realm_results_get_object(results, i);
            final realm_value_t id = new realm_value_t();
            realmc.realm_get_value(o, prop(realm, "_id"), id);
            final StringBuilder sb = new StringBuilder();
            final String hex = hex(id.getObject_id().getBytes());
            sb.append(hex).append(" name=").append(value(realm, o, "name")).append(" color=")
                .append(value(realm, o, "color")).append(" size=").append(value(realm, o, "size")).append(" tags=[");
            final long list = realmc.realm_get_list(o, prop(realm, "tags"));
            final long[] size = {0};
            realmc.realm_list_size(list, size);
            for (long j = 0; j < size[0]; j++)
            {
                final realm_value_t v = new realm_value_t();
                realmc.realm_list_get(list, j, v);
                sb.append(j == 0 ? "" : ",").append(v.getString());
            }
            sb.append(']');
            lines.put(hex, sb.toString());
        }
        return new ArrayList<>(lines.values());
    }

    private static String value(final NativePointer<LiveRealmT> realm, final long o, final String name)
    {
        final realm_value_t v = new realm_value_t();
        realmc.realm_get_value(o, prop(realm, name), v);
        if (v.getType() == realm_value_type_e.RLM_TYPE_STRING)
        {
            return v.getString();
        }
        if (v.getType() == realm_value_type_e.RLM_TYPE_INT)
        {
            return Long.toString(v.getInteger());
        }
        return "null";
    }

    private static long prop(final NativePointer<LiveRealmT> realm, final String name)
    {
        final realm_property_info_t info = new realm_property_info_t();
        final boolean[] found = {false};
        realmc.realm_find_property(ptr(realm), RealmClient.classKey(realm, ITEM), name, found, info);
        if (!found[0])
        {
            throw new IllegalStateException("no property " + name);
        }
        return info.getKey();
    }

    static long find(final NativePointer<LiveRealmT> realm, final String hex)
    {
        final boolean[] found = {false};
        final long o = realmc.realm_object_find_with_primary_key(ptr(realm), RealmClient.classKey(realm, ITEM),
            oid(hex), found);
        if (!found[0])
        {
            throw new IllegalStateException("no Item " + hex);
        }
        return o;
    }

    static void set(final NativePointer<LiveRealmT> realm, final long o, final String name,
        final realm_value_t v)
    {
        realmc.realm_set_value(o, prop(realm, name), v, false);
    }

    private static void listInsert(final NativePointer<LiveRealmT> realm, final long o, final long index,
        final String s)
    {
        final long list = realmc.realm_get_list(o, prop(realm, "tags"));
        final long[] size = {0};
        realmc.realm_list_size(list, size);
        realmc.realm_list_insert(list, Math.min(index, size[0]), str(s));
    }

    static realm_value_t str(final String s)
    {
        final realm_value_t v = new realm_value_t();
        v.setType(realm_value_type_e.RLM_TYPE_STRING);
        v.setString(s);
        return v;
    }

    static realm_value_t integer(final long n)
    {
        final realm_value_t v = new realm_value_t();
        v.setType(realm_value_type_e.RLM_TYPE_INT);
        v.setInteger(n);
        return v;
    }

    static realm_value_t oid(final String hex)
    {
        final short[] bytes = new short[12];
        for (int i = 0; i < 12; i++)
        {
            bytes[i] = (short)Integer.parseInt(hex.substring(2 * i, 2 * i + 2), 16);
        }
        final realm_object_id_t id = new realm_object_id_t();
        id.setBytes(bytes);
        final realm_value_t v = new realm_value_t();
        v.setType(realm_value_type_e.RLM_TYPE_OBJECT_ID);
        v.setObject_id(id);
        return v;
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
