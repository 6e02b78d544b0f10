package dev.outpost.server.realclient;

import io.realm.kotlin.internal.interop.LiveRealmT;
import io.realm.kotlin.internal.interop.NativePointer;
import io.realm.kotlin.internal.interop.RealmUserT;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static dev.outpost.server.realclient.RealmClient.RI;

/**
 * Scenarios for the operator-facing behaviour (graceful shutdown, restarts) of the server.
 */
final class ProductScenarios
{
    private static final long TIMEOUT_MS = 60_000;

    private ProductScenarios()
    {
    }

    private static void check(final String what, final String error)
    {
        if (null != error)
        {
            throw new IllegalStateException(what + " not complete: " + error);
        }
    }

    static void register(final Map<String, Scenario> all)
    {
        all.put("pbs-write-across-restart", ProductScenarios::writeAcrossRestart);
    }

    /**
     * Params: partition, count, signalDir. Writes {@code count} Items ({@code a-i}) and waits for their upload,
     * creates {@code signalDir/phase1.done}, keeps the realm (and its sync connection) open until
     * {@code signalDir/go} exists (the test stops and restarts the server meanwhile), then writes {@code count} more
     * ({@code b-i}) and waits for their upload, which needs the client to have reconnected by itself.
     */
    static void writeAcrossRestart(final RealmClient client, final Map<String, String> params, final JsonLine result)
        throws Exception
    {
        final Path signals = Path.of(params.get("signalDir"));
        final int count = Integer.parseInt(params.get("count"));
        final NativePointer<RealmUserT> user = client.loginAnonymous(30);
        final NativePointer<LiveRealmT> realm = client.open(user, params.get("partition"), "restart.realm");
        check("download", RealmClient.awaitDownload(realm, TIMEOUT_MS));
        RealmClient.writeItems(realm, "a", count);
        check("upload before the restart", RealmClient.awaitUpload(realm, TIMEOUT_MS));
        Files.createFile(signals.resolve("phase1.done"));
        final long deadline = System.currentTimeMillis() + TIMEOUT_MS;
        while (!Files.exists(signals.resolve("go")))
        {
            if (System.currentTimeMillis() > deadline)
            {
                throw new IllegalStateException("no go signal");
            }
            Thread.sleep(20);
        }
        final long start = System.nanoTime();
        RealmClient.writeItems(realm, "b", count);
        check("upload after the restart", RealmClient.awaitUpload(realm, TIMEOUT_MS));
        result.put("upload_after_restart_ms", (System.nanoTime() - start) / 1_000_000);
        RI.realm_refresh(realm);
        result.put("count", SyncScenarios.dump(realm).size());
    }
}
