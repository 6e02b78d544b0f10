package dev.outpost.server.realclient;

import io.realm.kotlin.internal.interop.LiveRealmT;
import io.realm.kotlin.internal.interop.NativePointer;
import io.realm.kotlin.internal.interop.RealmUserT;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static dev.outpost.server.realclient.RealmClient.RI;

/**
 * Scenarios of the PostgreSQL mirror's inbound path (SQL writes reaching MongoDB's client): an offline edit of an
 * Item's name made while the test changes the same field with SQL.
 */
final class InboundScenarios
{
    private static final long TIMEOUT_MS = 60_000;

    private InboundScenarios()
    {
    }

    static void register(final Map<String, Scenario> all)
    {
        all.put("pbs-offline-edit", InboundScenarios::offlineEdit);
    }

    /**
     * Open {@code partition}, download, pause sync, write {@code value} into the name of Item {@code id} (hex), create
     * the file {@code ready}, wait for the file {@code gate}, resume and sync both ways. With {@code editAfterGate}
     * the write is made after the gate instead (later than what the test did meanwhile). Prints the Item's name and
     * every Item after the sync (names without spaces: the dump splits on them).
     */
    static void offlineEdit(final RealmClient client, final Map<String, String> params, final JsonLine result)
        throws Exception
    {
        final NativePointer<RealmUserT> user = client.login(params, 30);
        final NativePointer<LiveRealmT> realm = client.open(user, params.get("partition"),
            params.getOrDefault("file", "edit.realm"));
        check("download", RealmClient.awaitDownload(realm, TIMEOUT_MS));
        RI.realm_refresh(realm);
        final String id = params.get("id");
        final boolean after = Boolean.parseBoolean(params.getOrDefault("editAfterGate", "false"));
        RealmClient.pause(realm);
        if (!after)
        {
            rename(realm, id, params.get("value"));
        }
        Files.createFile(Path.of(params.get("ready")));
        final long deadline = System.currentTimeMillis() + TIMEOUT_MS;
        while (!Files.exists(Path.of(params.get("gate"))))
        {
            if (System.currentTimeMillis() > deadline)
            {
                throw new IllegalStateException("no gate file");
            }
            Thread.sleep(20);
        }
        if (after)
        {
            rename(realm, id, params.get("value"));
        }
        RealmClient.resume(realm);
        check("upload", RealmClient.awaitUpload(realm, TIMEOUT_MS));
        check("download", RealmClient.awaitDownload(realm, TIMEOUT_MS));
        RI.realm_refresh(realm);
        final List<String> items = SyncScenarios.dump(realm);
        for (final String line : items)
        {
            if (line.startsWith(id + " "))
            {
                result.put("name", SyncScenarios.field(line, "name"));
            }
            result.add("items", line);
        }
    }

    private static void rename(final NativePointer<LiveRealmT> realm, final String id, final String name)
    {
        RI.realm_begin_write(realm);
        SyncScenarios.set(realm, SyncScenarios.find(realm, id), "name", SyncScenarios.str(name));
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
