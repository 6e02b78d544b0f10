package dev.outpost.server.realclient;

import io.realm.kotlin.internal.interop.AppCallback;
import io.realm.kotlin.internal.interop.ClassInfo;
import io.realm.kotlin.internal.interop.CollectionType;
import io.realm.kotlin.internal.interop.CoreLogLevel;
import io.realm.kotlin.internal.interop.LiveRealmT;
import io.realm.kotlin.internal.interop.LongPointerWrapper;
import io.realm.kotlin.internal.interop.NativePointer;
import io.realm.kotlin.internal.interop.PropertyInfo;
import io.realm.kotlin.internal.interop.PropertyType;
import io.realm.kotlin.internal.interop.RealmAppConfigT;
import io.realm.kotlin.internal.interop.RealmAppT;
import io.realm.kotlin.internal.interop.RealmConfigT;
import io.realm.kotlin.internal.interop.RealmInterop;
import io.realm.kotlin.internal.interop.RealmMutableSubscriptionSetT;
import io.realm.kotlin.internal.interop.RealmQueryT;
import io.realm.kotlin.internal.interop.RealmSchemaT;
import io.realm.kotlin.internal.interop.RealmSubscriptionSetT;
import io.realm.kotlin.internal.interop.RealmSyncClientConfigT;
import io.realm.kotlin.internal.interop.RealmSyncConfigT;
import io.realm.kotlin.internal.interop.RealmSyncSessionT;
import io.realm.kotlin.internal.interop.RealmUserT;
import io.realm.kotlin.internal.interop.SchemaMode;
import io.realm.kotlin.internal.interop.realm_class_info_t;
import io.realm.kotlin.internal.interop.realm_object_id_t;
import io.realm.kotlin.internal.interop.realm_property_info_t;
import io.realm.kotlin.internal.interop.realm_value_t;
import io.realm.kotlin.internal.interop.realm_value_type_e;
import io.realm.kotlin.internal.interop.realmc;
import io.realm.kotlin.internal.interop.sync.AppError;
import io.realm.kotlin.internal.interop.sync.CoreConnectionState;
import io.realm.kotlin.internal.interop.sync.MetadataMode;
import io.realm.kotlin.internal.interop.sync.NetworkTransport;
import io.realm.kotlin.internal.interop.sync.Response;
import io.realm.kotlin.internal.interop.sync.ResponseCallback;
import io.realm.kotlin.internal.interop.SyncConnectionParams;
import kotlin.Pair;

import java.io.File;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;

/**
 * MongoDB's Realm sync client (realm-core 14.12.0 from {@code io.realm.kotlin:cinterop-jvm:2.3.0}) driven from plain
 * Java through its JNI layer: the App, auth, sync client, protocol and changesets are all MongoDB's code; this class
 * only supplies the HTTP transport and the calls the Kotlin SDK would make.
 * <p>
 * Building blocks for scenarios: log in, open a PBS or FLX realm with an
 * {@code Item {_id: ObjectId, name: String, color: String?, size: Int?, tags: List<String>}}
 * schema, write, count, subscribe, wait for upload/download, pause and resume sync. Lives in a forked JVM only
 * (see {@link RealmClientDriver}): the native client's log callback is process-global and it may crash the JVM.
 */
final class RealmClient
{
    static final RealmInterop RI = RealmInterop.INSTANCE;
    static final String ITEM = "Item";
    /** The asymmetric class of {@link #open(NativePointer, String, String, String)} with {@code event}. */
    static final String EVENT = "Event";
    /** Every error the sync error handlers reported, in order (for scenarios that expect one). */
    static final java.util.concurrent.BlockingQueue<io.realm.kotlin.internal.interop.sync.SyncError> SYNC_ERRORS =
        new java.util.concurrent.LinkedBlockingQueue<>();

    /**
     * PEM certificate the client trusts for {@code https}/{@code wss} (a self-signed server), or null: set by the
     * driver from the {@code trustCert} param before a client is made. Both the HTTP transport and realm-core's
     * sync client (realm_sync_config_set_ssl_trust_certificate_path) use it.
     */
    static volatile String trustCertificate;

    /**
     * The client reset mode of the realms opened from now on (realm_sync_config_set_resync_mode), or null for the
     * C API's default (manual: the error handler gets the reset); with a mode, the before/after reset callbacks
     * report to {@link #RESETS}.
     */
    static volatile io.realm.kotlin.internal.interop.sync.SyncSessionResyncMode resyncMode;
    /** What the client reset callbacks reported, in order: {@code before}, {@code after recovered=<bool>}. */
    static final java.util.concurrent.BlockingQueue<String> RESETS = new java.util.concurrent.LinkedBlockingQueue<>();

    final String appId;
    final String baseUrl;
    final File dir;
    final NativePointer<RealmAppT> app;
    private final PrintStream log;

    RealmClient(final String baseUrl, final String appId, final File dir, final PrintStream log)
    {
        this.appId = appId;
        this.baseUrl = baseUrl;
        this.dir = dir;
        this.log = log;
        final NativePointer<RealmAppConfigT> appConfig = RI.realm_app_config_new(appId,
            RI.realm_network_transport_new(new JdkTransport(log)), baseUrl,
            new SyncConnectionParams("2.3.0", "outpost-harness", System.getProperty("os.version"), "harness",
                "x86_64", SyncConnectionParams.Runtime.JVM, System.getProperty("java.version")));
        RI.realm_app_config_set_base_file_path(appConfig, dir.getAbsolutePath());
        RI.realm_app_config_set_metadata_mode(appConfig, MetadataMode.RLM_SYNC_CLIENT_METADATA_MODE_PLAINTEXT);
        final NativePointer<RealmSyncClientConfigT> syncClientConfig = RI.realm_app_config_get_sync_client_config(
            appConfig);
        RI.realm_sync_client_config_set_default_binding_thread_observer(syncClientConfig, appId);
        RI.realm_sync_client_config_set_multiplex_sessions(syncClientConfig, false);
        this.app = RI.realm_app_get(appConfig, dir.getAbsolutePath());
    }

    /**
     * Route the core's log (process-global) to a stream.
     */
    static void installLog(final PrintStream out, final CoreLogLevel level)
    {
        RI.realm_set_log_callback((lvl, category, message) -> out.println("[core L" + lvl + " " + category + "] " +
            message));
        RI.realm_set_log_level(level);
    }

    NativePointer<RealmUserT> loginAnonymous(final long timeoutSeconds) throws Exception
    {
        return await(cb -> RI.realm_app_log_in_with_credentials(app, RI.realm_app_credentials_new_anonymous(true),
            cb), timeoutSeconds);
    }

    /** Register an email/password account through realm-core's own client (local-userpass register). */
    void registerEmail(final String email, final String password, final long timeoutSeconds) throws Exception
    {
        this.<kotlin.Unit>await(cb -> RI.realm_app_email_password_provider_client_register_email(app, email, password,
            cb), timeoutSeconds);
    }

    NativePointer<RealmUserT> loginEmail(final String email, final String password, final long timeoutSeconds)
        throws Exception
    {
        return await(cb -> RI.realm_app_log_in_with_credentials(app,
            RI.realm_app_credentials_new_email_password(email, password), cb), timeoutSeconds);
    }

    NativePointer<RealmUserT> loginJwt(final String token, final long timeoutSeconds) throws Exception
    {
        return await(cb -> RI.realm_app_log_in_with_credentials(app, RI.realm_app_credentials_new_jwt(token), cb),
            timeoutSeconds);
    }

    NativePointer<RealmUserT> loginApiKey(final String key, final long timeoutSeconds) throws Exception
    {
        return await(cb -> RI.realm_app_log_in_with_credentials(app, RI.realm_app_credentials_new_api_key(key),
            cb), timeoutSeconds);
    }

    /** Refresh a user's custom data through realm-core's own client (a new access token: its user_data claim). */
    void refreshCustomData(final NativePointer<RealmUserT> user, final long timeoutSeconds) throws Exception
    {
        this.<kotlin.Unit>await(cb -> RI.realm_user_refresh_custom_data(app, user, cb), timeoutSeconds);
    }

    /** Create a user API key through realm-core's own client (refresh token, POST auth/api_keys). */
    io.realm.kotlin.internal.interop.sync.ApiKeyWrapper createApiKey(final NativePointer<RealmUserT> user,
        final String name, final long timeoutSeconds) throws Exception
    {
        return await(cb -> RI.realm_app_user_apikey_provider_client_create_apikey(app, user, name, cb),
            timeoutSeconds);
    }

    /**
     * Log in as the scenario's params say: {@code login=anon} (default), {@code login=email} with {@code email} and
     * {@code password} (and {@code register=true} to register first), {@code login=jwt} with {@code token},
     * {@code login=api-key} with {@code key}.
     */
    NativePointer<RealmUserT> login(final java.util.Map<String, String> params, final long timeoutSeconds)
        throws Exception
    {
        switch (params.getOrDefault("login", "anon"))
        {
            case "email":
                if (Boolean.parseBoolean(params.getOrDefault("register", "false")))
                {
                    registerEmail(params.get("email"), params.get("password"), timeoutSeconds);
                }
                return loginEmail(params.get("email"), params.get("password"), timeoutSeconds);
            case "jwt":
                return loginJwt(params.get("token"), timeoutSeconds);
            case "api-key":
                return loginApiKey(params.get("key"), timeoutSeconds);
            default:
                return loginAnonymous(timeoutSeconds);
        }
    }

    /**
     * Open a realm with the Item schema.
     *
     * @param user      logged-in user.
     * @param partition PBS partition value as canonical extended JSON (e.g. {@code "\"p1\""}), or null for FLX.
     * @param fileName  realm file name inside the client directory.
     */
    NativePointer<LiveRealmT> open(final NativePointer<RealmUserT> user, final String partition, final String fileName)
    {
        return open(user, partition, fileName, null);
    }

    /**
     * Open a realm with the Item schema and, with {@code extra}, one more class or field: {@code owner} an optional
     * string {@code Item.owner_id} (FLX roles), {@code event} an asymmetric
     * (Data Ingest) {@code Event {_id: ObjectId, kind: String}}, {@code note} a top-level
     * {@code Note {_id: ObjectId, text: String}}.
     */
    NativePointer<LiveRealmT> open(final NativePointer<RealmUserT> user, final String partition, final String fileName,
        final String extra)
    {
        final ClassInfo item = ClassInfo.Companion.create(ITEM, "_id", 2, false, false);
        final List<PropertyInfo> props = new java.util.ArrayList<>(List.of(
            PropertyInfo.Companion.create("_id", null, PropertyType.RLM_PROPERTY_TYPE_OBJECT_ID,
                CollectionType.RLM_COLLECTION_TYPE_NONE, null, null, false, true, false, false),
            PropertyInfo.Companion.create("name", null, PropertyType.RLM_PROPERTY_TYPE_STRING,
                CollectionType.RLM_COLLECTION_TYPE_NONE, null, null, false, false, false, false),
            PropertyInfo.Companion.create("color", null, PropertyType.RLM_PROPERTY_TYPE_STRING,
                CollectionType.RLM_COLLECTION_TYPE_NONE, null, null, true, false, false, false),
            PropertyInfo.Companion.create("size", null, PropertyType.RLM_PROPERTY_TYPE_INT,
                CollectionType.RLM_COLLECTION_TYPE_NONE, null, null, true, false, false, false),
            PropertyInfo.Companion.create("tags", null, PropertyType.RLM_PROPERTY_TYPE_STRING,
                CollectionType.RLM_COLLECTION_TYPE_LIST, null, null, false, false, false, false)));
        final boolean owner = "owner".equals(extra);
        if (owner)
        {
            props.add(PropertyInfo.Companion.create("owner_id", null, PropertyType.RLM_PROPERTY_TYPE_STRING,
                CollectionType.RLM_COLLECTION_TYPE_NONE, null, null, true, false, false, false));
        }
        final List<Pair<ClassInfo, List<PropertyInfo>>> classes = new java.util.ArrayList<>();
        classes.add(new Pair<>(item, props));
        if (null != extra && !owner)
        {
            final boolean event = "event".equals(extra);
            final String name = event ? EVENT : "Note";
            final String field = event ? "kind" : "text";
            classes.add(new Pair<>(ClassInfo.Companion.create(name, "_id", 2, false, event), List.of(
                PropertyInfo.Companion.create("_id", null, PropertyType.RLM_PROPERTY_TYPE_OBJECT_ID,
                    CollectionType.RLM_COLLECTION_TYPE_NONE, null, null, false, true, false, false),
                PropertyInfo.Companion.create(field, null, PropertyType.RLM_PROPERTY_TYPE_STRING,
                    CollectionType.RLM_COLLECTION_TYPE_NONE, null, null, false, false, false, false))));
        }
        final NativePointer<RealmSchemaT> schema = RI.realm_schema_new(classes);
        final NativePointer<RealmConfigT> config = RI.realm_config_new();
        RI.realm_config_set_path(config, new File(dir, fileName).getAbsolutePath());
        RI.realm_config_set_schema(config, schema);
        RI.realm_config_set_schema_mode(config, SchemaMode.RLM_SCHEMA_MODE_ADDITIVE_DISCOVERED);
        RI.realm_config_set_schema_version(config, 0);
        final NativePointer<RealmSyncConfigT> sync = null == partition ? RI.realm_flx_sync_config_new(user) :
            RI.realm_sync_config_new(user, partition);
        RI.realm_sync_config_set_error_handler(sync, (session, error) ->
        {
            log.println("[driver] sync error: " + error);
            snapshotCompensatingKeys(error);
            SYNC_ERRORS.add(error);
        });
        if (null != trustCertificate)
        {
            realmc.realm_sync_config_set_ssl_trust_certificate_path(ptr(sync), trustCertificate);
        }
        if (null != resyncMode)
        {
            RI.realm_sync_config_set_resync_mode(sync, resyncMode);
            RI.realm_sync_config_set_before_client_reset_handler(sync, before -> RESETS.add("before"));
            RI.realm_sync_config_set_after_client_reset_handler(sync, (before, after, didRecover) ->
                RESETS.add("after recovered=" + didRecover));
        }
        RI.realm_config_set_sync_config(config, sync);
        return RI.realm_open(config, RI.realm_create_scheduler()).getFirst();
    }

    /**
     * The ObjectId keys (hex) of the compensating writes reported, read inside the error handler: the key's native
     * value is only valid there (read later it may already be freed).
     */
    static final java.util.concurrent.BlockingQueue<String> COMPENSATING_KEYS =
        new java.util.concurrent.LinkedBlockingQueue<>();

    private static void snapshotCompensatingKeys(final io.realm.kotlin.internal.interop.sync.SyncError error)
    {
        final var infos = error.getCompensatingWrites();
        if (infos == null)
        {
            return;
        }
        for (final var info : infos)
        {
            try
            {
                final realm_value_t pk = (realm_value_t)info.getClass().getMethod("getPrimaryKey-uWG8uMY")
                    .invoke(info);
                final StringBuilder sb = new StringBuilder();
                for (final short b : pk.getObject_id().getBytes())
                {
                    sb.append(String.format("%02x", b & 0xff));
                }
                COMPENSATING_KEYS.add(sb.toString());
            }
            catch (final ReflectiveOperationException ex)
            {
                COMPENSATING_KEYS.add("unreadable: " + ex);
            }
        }
    }

    static NativePointer<RealmSyncSessionT> session(final NativePointer<LiveRealmT> realm)
    {
        return RI.realm_sync_session_get(realm);
    }

    /**
     * @return milliseconds until the sync connection of the realm reached CONNECTED, or -1 on timeout.
     */
    static long awaitConnected(final NativePointer<LiveRealmT> realm, final long timeoutMs) throws InterruptedException
    {
        final long start = System.nanoTime();
        final NativePointer<RealmSyncSessionT> session = session(realm);
        while (true)
        {
            final long elapsed = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
            if (RI.realm_sync_connection_state(session) == CoreConnectionState.RLM_SYNC_CONNECTION_STATE_CONNECTED)
            {
                return elapsed;
            }
            if (elapsed > timeoutMs)
            {
                return -1;
            }
            Thread.sleep(20);
        }
    }

    static long classKey(final NativePointer<LiveRealmT> realm, final String className)
    {
        final realm_class_info_t info = new realm_class_info_t();
        final boolean[] found = {false};
        realmc.realm_find_class(ptr(realm), className, found, info);
        if (!found[0])
        {
            throw new IllegalStateException("no class " + className);
        }
        return info.getKey();
    }

    /**
     * Write {@code count} Items named {@code prefix-i} in one transaction.
     */
    static void writeItems(final NativePointer<LiveRealmT> realm, final String prefix, final int count)
    {
        writeItems(realm, prefix, count, 0);
    }

    /**
     * Insert {@code count} objects {@code Event {_id, kind = prefix-i}} into the asymmetric class in one transaction
     * (realm uploads them and clears them locally).
     */
    static void writeEvents(final NativePointer<LiveRealmT> realm, final String prefix, final int count)
    {
        RI.realm_begin_write(realm);
        final long classKey = classKey(realm, EVENT);
        final realm_property_info_t kind = new realm_property_info_t();
        final boolean[] found = {false};
        realmc.realm_find_property(ptr(realm), classKey, "kind", found, kind);
        final SecureRandom random = new SecureRandom();
        for (int i = 0; i < count; i++)
        {
            final short[] bytes = new short[12];
            for (int b = 0; b < 12; b++)
            {
                bytes[b] = (short)random.nextInt(256);
            }
            final realm_object_id_t objectId = new realm_object_id_t();
            objectId.setBytes(bytes);
            final realm_value_t pk = new realm_value_t();
            pk.setType(realm_value_type_e.RLM_TYPE_OBJECT_ID);
            pk.setObject_id(objectId);
            final long obj = realmc.realm_object_create_with_primary_key(ptr(realm), classKey, pk);
            final realm_value_t value = new realm_value_t();
            value.setType(realm_value_type_e.RLM_TYPE_STRING);
            value.setString(prefix + "-" + i);
            realmc.realm_set_value(obj, kind.getKey(), value, false);
        }
        RI.realm_commit(realm);
    }

    /** @param pad random letters appended to each name (so a big transaction does not compress away). */
    static void writeItems(final NativePointer<LiveRealmT> realm, final String prefix, final int count,
        final int pad)
    {
        RI.realm_begin_write(realm);
        final long classKey = classKey(realm, ITEM);
        final realm_property_info_t name = new realm_property_info_t();
        final boolean[] found = {false};
        realmc.realm_find_property(ptr(realm), classKey, "name", found, name);
        final SecureRandom random = new SecureRandom();
        for (int i = 0; i < count; i++)
        {
            final byte[] oid = new byte[12];
            random.nextBytes(oid);
            final short[] bytes = new short[12];
            for (int b = 0; b < 12; b++)
            {
                bytes[b] = (short)(oid[b] & 0xff);
            }
            final realm_object_id_t objectId = new realm_object_id_t();
            objectId.setBytes(bytes);
            final realm_value_t pk = new realm_value_t();
            pk.setType(realm_value_type_e.RLM_TYPE_OBJECT_ID);
            pk.setObject_id(objectId);
            final long obj = realmc.realm_object_create_with_primary_key(ptr(realm), classKey, pk);
            final realm_value_t value = new realm_value_t();
            value.setType(realm_value_type_e.RLM_TYPE_STRING);
            final StringBuilder text = new StringBuilder(prefix).append('-').append(i);
            if (pad > 0)
            {
                text.append('-');
                for (int k = 0; k < pad; k++)
                {
                    text.append((char)('a' + random.nextInt(26)));
                }
            }
            value.setString(text.toString());
            realmc.realm_set_value(obj, name.getKey(), value, false);
        }
        RI.realm_commit(realm);
    }

    /**
     * @return the number of Items in the realm's latest version.
     */
    static long countItems(final NativePointer<LiveRealmT> realm)
    {
        RI.realm_refresh(realm);
        final long query = realmc.realm_query_parse(ptr(realm), classKey(realm, ITEM), "TRUEPREDICATE", 0,
            realmc.new_queryArgArray(0));
        return RI.realm_query_count(new LongPointerWrapper<RealmQueryT>(query, false));
    }

    /**
     * Replace the latest subscription set with one TRUEPREDICATE subscription on Item (FLX). Retries the commit,
     * which can fail while the client integrates a bootstrap.
     */
    static long subscribeAll(final NativePointer<LiveRealmT> realm) throws InterruptedException
    {
        for (int attempt = 1; ; attempt++)
        {
            try
            {
                RI.realm_refresh(realm);
                final long classKey = classKey(realm, ITEM);
                final NativePointer<RealmMutableSubscriptionSetT> mutable = RI.realm_sync_make_subscriptionset_mutable(
                    RI.realm_sync_get_latest_subscriptionset(realm));
                final long query = realmc.realm_query_parse(ptr(realm), classKey, "TRUEPREDICATE", 0,
                    realmc.new_queryArgArray(0));
                RI.realm_sync_subscriptionset_insert_or_assign(mutable,
                    new LongPointerWrapper<RealmQueryT>(query, false), "all-items");
                final NativePointer<RealmSubscriptionSetT> committed = RI.realm_sync_subscriptionset_commit(mutable);
                return RI.realm_sync_subscriptionset_version(committed);
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

    /**
     * @return null when the upload completed, else the error or "timeout".
     */
    static String awaitUpload(final NativePointer<LiveRealmT> realm, final long timeoutMs) throws Exception
    {
        final CompletableFuture<String> done = new CompletableFuture<>();
        RI.realm_sync_session_wait_for_upload_completion(session(realm),
            error -> done.complete(null == error ? null : String.valueOf(error)));
        return awaitTransfer(done, timeoutMs);
    }

    /**
     * @return null when the download completed, else the error or "timeout".
     */
    static String awaitDownload(final NativePointer<LiveRealmT> realm, final long timeoutMs) throws Exception
    {
        final CompletableFuture<String> done = new CompletableFuture<>();
        RI.realm_sync_session_wait_for_download_completion(session(realm),
            error -> done.complete(null == error ? null : String.valueOf(error)));
        return awaitTransfer(done, timeoutMs);
    }

    static void pause(final NativePointer<LiveRealmT> realm)
    {
        RI.realm_sync_session_pause(session(realm));
    }

    static void resume(final NativePointer<LiveRealmT> realm)
    {
        RI.realm_sync_session_resume(session(realm));
    }

    private static HttpClient.Builder trusting(final HttpClient.Builder builder)
    {
        if (null == trustCertificate)
        {
            return builder;
        }
        try (java.io.InputStream in = java.nio.file.Files.newInputStream(java.nio.file.Path.of(trustCertificate)))
        {
            final java.security.KeyStore trust = java.security.KeyStore.getInstance("PKCS12");
            trust.load(null, null);
            trust.setCertificateEntry("server",
                java.security.cert.CertificateFactory.getInstance("X.509").generateCertificate(in));
            final javax.net.ssl.TrustManagerFactory tmf = javax.net.ssl.TrustManagerFactory.getInstance(
                javax.net.ssl.TrustManagerFactory.getDefaultAlgorithm());
            tmf.init(trust);
            final javax.net.ssl.SSLContext ssl = javax.net.ssl.SSLContext.getInstance("TLS");
            ssl.init(null, tmf.getTrustManagers(), null);
            return builder.sslContext(ssl);
        }
        catch (final Exception ex)
        {
            throw new IllegalStateException("cannot trust " + trustCertificate, ex);
        }
    }

    static long ptr(final NativePointer<?> pointer)
    {
        return ((LongPointerWrapper<?>)pointer).getPtr$cinterop();
    }

    private static String awaitTransfer(final CompletableFuture<String> done, final long timeoutMs) throws Exception
    {
        try
        {
            return done.get(timeoutMs, TimeUnit.MILLISECONDS);
        }
        catch (final TimeoutException ex)
        {
            return "timeout";
        }
    }

    private static <T> T await(final Consumer<AppCallback<T>> call, final long timeoutSeconds) throws Exception
    {
        final CompletableFuture<T> result = new CompletableFuture<>();
        call.accept(new AppCallback<T>()
        {
            public void onSuccess(final T value)
            {
                result.complete(value);
            }

            public void onError(final AppError error)
            {
                result.completeExceptionally(new IllegalStateException("AppError: " + error));
            }
        });
        return result.get(timeoutSeconds, TimeUnit.SECONDS);
    }

    /**
     * realm-core hands us each App request; we answer through its callback (HTTP/1.1, as the SDK does).
     */
    private static final class JdkTransport implements NetworkTransport
    {
        private static final Set<String> RESTRICTED = Set.of("content-length", "host", "connection", "expect",
            "upgrade");
        private final HttpClient client = trusting(HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(10))).build();
        private final PrintStream log;

        JdkTransport(final PrintStream log)
        {
            this.log = log;
        }

        public String getAuthorizationHeaderName()
        {
            return "Authorization";
        }

        public Map<String, String> getCustomHeaders()
        {
            return Map.of();
        }

        public void close()
        {
        }

        public void sendRequest(final String method, final String url, final Map<String, String> headers,
            final String body, final ResponseCallback callback)
        {
            log.println("[driver] HTTP " + method.toUpperCase() + " " + url.replaceAll("baas_at=[^&]*", "baas_at=..."));
            final HttpRequest.Builder builder = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(30));
            headers.forEach((k, v) ->
            {
                if (!RESTRICTED.contains(k.toLowerCase()))
                {
                    builder.header(k, v);
                }
            });
            builder.method(method.toUpperCase(), body.isEmpty() ? HttpRequest.BodyPublishers.noBody() :
                HttpRequest.BodyPublishers.ofString(body));
            client.sendAsync(builder.build(), HttpResponse.BodyHandlers.ofString()).whenComplete((response, error) ->
            {
                if (null != error)
                {
                    callback.response(new Response(0, 1000, Map.of(), error.toString()));
                    return;
                }
                final Map<String, String> responseHeaders = new HashMap<>();
                response.headers().map().forEach((k, v) -> responseHeaders.put(k, String.join(",", v)));
                callback.response(new Response(response.statusCode(), 0, responseHeaders, response.body()));
            });
        }
    }
}
