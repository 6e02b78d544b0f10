package dev.outpost.codec.message;

import java.nio.charset.StandardCharsets;

/**
 * Every message head the codec knows, by direction. The wire name is the first word of the head.
 * <p>
 * {@link #legacy()} marks messages of the original protocol that realm-core 14.x no longer sends or accepts
 * ({@code refresh}, {@code transact}, {@code state_request}, {@code state}, {@code client_version_request},
 * {@code client_version}, {@code alloc}). Immutable; safe to share between threads.
 */
public enum MessageType
{
    // client -> server
    BIND("bind", true, false),
    IDENT("ident", true, false),
    QUERY("query", true, false),
    UPLOAD("upload", true, false),
    MARK("mark", true, false),
    UNBIND("unbind", true, false),
    PING("ping", true, false),
    JSON_ERROR("json_error", true, false),
    TEST_COMMAND("test_command", true, false),
    REFRESH("refresh", true, true),
    TRANSACT("transact", true, true),
    STATE_REQUEST("state_request", true, true),
    CLIENT_VERSION_REQUEST("client_version_request", true, true),
    ALLOC("alloc", true, true),

    // server -> client
    SERVER_IDENT("ident", false, false),
    DOWNLOAD("download", false, false),
    SERVER_MARK("mark", false, false),
    UNBOUND("unbound", false, false),
    PONG("pong", false, false),
    ERROR("error", false, false),
    SERVER_JSON_ERROR("json_error", false, false),
    QUERY_ERROR("query_error", false, false),
    LOG_MESSAGE("log_message", false, false),
    SERVER_TEST_COMMAND("test_command", false, false),
    SERVER_TRANSACT("transact", false, true),
    STATE("state", false, true),
    CLIENT_VERSION("client_version", false, true),
    SERVER_ALLOC("alloc", false, true);

    private final String wireName;
    private final byte[] wireBytes;
    private final boolean clientToServer;
    private final boolean legacy;

    MessageType(final String wireName, final boolean clientToServer, final boolean legacy)
    {
        this.wireName = wireName;
        this.wireBytes = wireName.getBytes(StandardCharsets.US_ASCII);
        this.clientToServer = clientToServer;
        this.legacy = legacy;
    }

    /** @return the first word of the head, e.g. {@code "upload"}. */
    public String wireName()
    {
        return wireName;
    }

    /** @return true for messages a client sends to the server. */
    public boolean clientToServer()
    {
        return clientToServer;
    }

    /** @return true for messages of the original protocol that current clients never send or accept. */
    public boolean legacy()
    {
        return legacy;
    }

    byte[] wireBytes()
    {
        return wireBytes;
    }
}
