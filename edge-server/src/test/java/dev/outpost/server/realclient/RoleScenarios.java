package dev.outpost.server.realclient;

import io.realm.kotlin.internal.interop.LiveRealmT;
import io.realm.kotlin.internal.interop.NativePointer;
import io.realm.kotlin.internal.interop.RealmUserT;
import io.realm.kotlin.internal.interop.realm_object_id_t;
import io.realm.kotlin.internal.interop.realm_value_t;
import io.realm.kotlin.internal.interop.realm_value_type_e;
import io.realm.kotlin.internal.interop.realmc;
import io.realm.kotlin.internal.interop.sync.CoreCompensatingWriteInfo;
import io.realm.kotlin.internal.interop.sync.SyncError;

import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static dev.outpost.server.realclient.RealmClient.ITEM;
import static dev.outpost.server.realclient.RealmClient.RI;
import static dev.outpost.server.realclient.RealmClient.ptr;

/** FLX scenarios under document roles (see {@code RealClientFlxRolesIT}): Items carry an {@code owner_id}. */
final class RoleScenarios
{
    private static final long TIMEOUT_MS = 60_000;

    private RoleScenarios()
    {
    }

    static void register(final Map<String, Scenario> all)
    {
        all.put("flx-roles", RoleScenarios::roles);
        all.put("flx-custom-data", RoleScenarios::customData);
        all.put("flx-roles-live", RoleScenarios::live);
    }

    /**
     * Params: the login params of {@link RealmClient#login} and {@code expect} (Items the realm must hold with a
     * TRUEPREDICATE subscription). Reports the user's custom data as realm-core shows it ({@code user.customData}:
     * {@code custom_data} after the login, {@code custom_data_refreshed} after {@code refreshCustomData()}) and the
     * Item names held ({@code names}).
     */
    static void customData(final RealmClient client, final Map<String, String> params, final JsonLine result)
        throws Exception
    {
        final NativePointer<RealmUserT> user = client.login(params, 30);
        result.put("custom_data", RI.realm_user_get_custom_data(user));
        client.refreshCustomData(user, 30);
        result.put("custom_data_refreshed", RI.realm_user_get_custom_data(user));
        final NativePointer<LiveRealmT> realm = client.open(user, null, params.getOrDefault("file", "data.realm"),
            "owner");
        check("download", RealmClient.awaitDownload(realm, TIMEOUT_MS));
        RealmClient.subscribeAll(realm);
        check("download", RealmClient.awaitDownload(realm, TIMEOUT_MS));
        result.put("names", String.join(",", awaitNames(realm, Integer.parseInt(params.getOrDefault("expect", "0")))));
        result.put("more_errors", RealmClient.SYNC_ERRORS.size());
    }

    /**
     * A live session across a rule change (see {@code RealClientRulesReloadIT}). Params: the login params,
     * {@code owner}, {@code prefix}, {@code count} (Items to write first), {@code signalDir}, {@code expect} (Items
     * the realm must hold after the change). Writes and uploads, reports {@code names_before}, creates
     * {@code signalDir/phase1.done}, keeps the realm open and syncing until {@code signalDir/go} exists (the test
     * changes the rules meanwhile), waits for {@code expect} Items ({@code names_after}), then writes one more
     * ({@code <prefix>-new}) that must upload ({@code names_final}). Reports every sync error ({@code errors}:
     * code, fatal, client reset requested) and whether any asked for a client reset ({@code client_reset}).
     */
    static void live(final RealmClient client, final Map<String, String> params, final JsonLine result)
        throws Exception
    {
        final java.nio.file.Path signals = java.nio.file.Path.of(params.get("signalDir"));
        final NativePointer<RealmUserT> user = client.login(params, 30);
        final NativePointer<LiveRealmT> realm = client.open(user, null, "live.realm", "owner");
        check("download", RealmClient.awaitDownload(realm, TIMEOUT_MS));
        RealmClient.subscribeAll(realm);
        check("download", RealmClient.awaitDownload(realm, TIMEOUT_MS));
        final int count = Integer.parseInt(params.getOrDefault("count", "0"));
        final String prefix = params.getOrDefault("prefix", "item");
        final List<String> names = new ArrayList<>();
        for (int i = 0; i < count; i++)
        {
            names.add(prefix + "-" + i);
        }
        write(realm, names, params.get("owner"));
        check("upload", RealmClient.awaitUpload(realm, TIMEOUT_MS));
        result.put("names_before", String.join(",", awaitNames(realm, count)));
        java.nio.file.Files.createFile(signals.resolve("phase1.done"));
        final long deadline = System.currentTimeMillis() + TIMEOUT_MS;
        while (!java.nio.file.Files.exists(signals.resolve("go")))
        {
            if (System.currentTimeMillis() > deadline)
            {
                throw new IllegalStateException("no go signal");
            }
            Thread.sleep(20);
        }
        final int expect = Integer.parseInt(params.get("expect"));
        result.put("names_after", String.join(",", awaitNames(realm, expect)));
        write(realm, List.of(prefix + "-new"), params.get("owner"));
        check("upload after the change", RealmClient.awaitUpload(realm, TIMEOUT_MS));
        result.put("names_final", String.join(",", awaitNames(realm, expect + 1)));
        final List<String> errors = new ArrayList<>();
        boolean reset = false;
        for (final SyncError e : RealmClient.SYNC_ERRORS)
        {
            errors.add(e.getErrorCode().getErrorCode() + "/fatal=" + e.isFatal() + "/reset=" +
                e.isClientResetRequested());
            reset |= e.isClientResetRequested();
        }
        result.put("errors", String.join(";", errors));
        result.put("client_reset", reset);
    }

    /**
     * Params: the login params of {@link RealmClient#login}, {@code owner} (the user's id), {@code prefix},
     * {@code count} (Items to write owned by {@code owner}, default 0), {@code expect} (Items the realm must hold
     * with a TRUEPREDICATE subscription), and optionally {@code forge}: an owner id to claim in one more Item named
     * {@code forged}, which must be reverted with a compensating write. Reports the Item names held
     * ({@code names}), and for {@code forge} the error and whether the forged Item left the realm.
     */
    static void roles(final RealmClient client, final Map<String, String> params, final JsonLine result)
        throws Exception
    {
        final NativePointer<RealmUserT> user = client.login(params, 30);
        final NativePointer<LiveRealmT> realm = client.open(user, null, params.getOrDefault("file", "roles.realm"),
            "owner");
        check("download", RealmClient.awaitDownload(realm, TIMEOUT_MS));
        RealmClient.subscribeAll(realm);
        check("download", RealmClient.awaitDownload(realm, TIMEOUT_MS));
        final int count = Integer.parseInt(params.getOrDefault("count", "0"));
        if (count > 0)
        {
            final String prefix = params.getOrDefault("prefix", "item");
            final List<String> names = new ArrayList<>();
            for (int i = 0; i < count; i++)
            {
                names.add(prefix + "-" + i);
            }
            write(realm, names, params.get("owner"));
            check("upload", RealmClient.awaitUpload(realm, TIMEOUT_MS));
        }
        final int expect = Integer.parseInt(params.getOrDefault("expect", String.valueOf(count)));
        result.put("names", String.join(",", awaitNames(realm, expect)));

        final String forge = params.get("forge");
        if (null != forge)
        {
            final String forgedId = write(realm, List.of("forged"), forge).get(0);
            result.put("forged_id", forgedId);
            RI.realm_refresh(realm);
            result.put("forged_written", names(realm).contains("forged"));
            check("upload forged", RealmClient.awaitUpload(realm, TIMEOUT_MS));
            final SyncError error = RealmClient.SYNC_ERRORS.poll(TIMEOUT_MS, TimeUnit.MILLISECONDS);
            if (null == error)
            {
                throw new IllegalStateException("no compensating write reported");
            }
            result.put("error_code", String.valueOf(error.getErrorCode().getErrorCode()));
            result.put("fatal", error.isFatal());
            final CoreCompensatingWriteInfo[] infos = error.getCompensatingWrites();
            result.put("compensating_writes", null == infos ? 0 : infos.length);
            if (null != infos && infos.length > 0)
            {
                result.put("cw_object", infos[0].getObjectName());
                result.put("cw_reason", infos[0].getReason());
                result.put("cw_pk_matches", forgedId.equals(RealmClient.COMPENSATING_KEYS.poll()));
            }
            result.put("names_after", String.join(",", awaitNames(realm, expect)));
            check("upload after", RealmClient.awaitUpload(realm, TIMEOUT_MS));
            check("download after", RealmClient.awaitDownload(realm, TIMEOUT_MS));
        }
        result.put("more_errors", RealmClient.SYNC_ERRORS.size());
    }

    /** Create one Item per name with {@code owner_id = owner} in one transaction; @return their ids (hex). */
    private static List<String> write(final NativePointer<LiveRealmT> realm, final List<String> names,
        final String owner)
    {
        final SecureRandom random = new SecureRandom();
        final List<String> ids = new ArrayList<>();
        RI.realm_begin_write(realm);
        final long classKey = RealmClient.classKey(realm, ITEM);
        for (final String name : names)
        {
            final short[] bytes = new short[12];
            final StringBuilder hex = new StringBuilder();
            for (int b = 0; b < 12; b++)
            {
                bytes[b] = (short)random.nextInt(256);
                hex.append(String.format("%02x", bytes[b]));
            }
            final realm_object_id_t objectId = new realm_object_id_t();
            objectId.setBytes(bytes);
            final realm_value_t pk = new realm_value_t();
            pk.setType(realm_value_type_e.RLM_TYPE_OBJECT_ID);
            pk.setObject_id(objectId);
            final long obj = realmc.realm_object_create_with_primary_key(ptr(realm), classKey, pk);
            SyncScenarios.set(realm, obj, "name", SyncScenarios.str(name));
            SyncScenarios.set(realm, obj, "owner_id", SyncScenarios.str(owner));
            ids.add(hex.toString());
        }
        RI.realm_commit(realm);
        return ids;
    }

    /** @return the Item names once the realm holds {@code count} Items and nothing more arrives, sorted. */
    private static List<String> awaitNames(final NativePointer<LiveRealmT> realm, final int count) throws Exception
    {
        final long deadline = System.currentTimeMillis() + TIMEOUT_MS;
        List<String> names = List.of();
        while (System.currentTimeMillis() < deadline)
        {
            check("download", RealmClient.awaitDownload(realm, TIMEOUT_MS));
            RI.realm_refresh(realm);
            names = names(realm);
            if (names.size() == count)
            {
                Thread.sleep(300);
                check("download", RealmClient.awaitDownload(realm, TIMEOUT_MS));
                RI.realm_refresh(realm);
                return names(realm);
            }
            Thread.sleep(50);
        }
        return names;
    }

    private static List<String> names(final NativePointer<LiveRealmT> realm)
    {
        final List<String> out = new ArrayList<>();
        for (final String line : SyncScenarios.dump(realm))
        {
            out.add(SyncScenarios.field(line, "name"));
        }
        Collections.sort(out);
        return out;
    }

    private static void check(final String what, final String error)
    {
        if (null != error)
        {
            throw new IllegalStateException(what + ": " + error);
        }
    }
}
