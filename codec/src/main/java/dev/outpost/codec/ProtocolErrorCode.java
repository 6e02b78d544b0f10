package dev.outpost.codec;

/**
 * Realm sync protocol error codes (realm-core 14.x, {@code protocol.hpp}/{@code error_codes.h}).
 * <p>
 * Codes marked {@link #unsafeForClient()} make {@code protocol_error_to_status} hit {@code REALM_UNREACHABLE()} in
 * the client, which aborts the client process: a server must never put them on the wire.
 */
public enum ProtocolErrorCode
{
    CONNECTION_CLOSED(100, false),
    OTHER_ERROR(101, false),
    UNKNOWN_MESSAGE(102, false),
    BAD_SYNTAX(103, false),
    LIMITS_EXCEEDED(104, true),
    WRONG_PROTOCOL_VERSION(105, false),
    BAD_SESSION_IDENT(106, false),
    REUSE_OF_SESSION_IDENT(107, false),
    BOUND_IN_OTHER_SESSION(108, false),
    BAD_MESSAGE_ORDER(109, false),
    BAD_DECOMPRESSION(110, false),
    BAD_CHANGESET_HEADER_SYNTAX(111, false),
    BAD_CHANGESET_SIZE(112, false),
    SWITCH_TO_FLX_SYNC(113, false),
    SWITCH_TO_PBS(114, false),

    SESSION_CLOSED(200, false),
    OTHER_SESSION_ERROR(201, false),
    TOKEN_EXPIRED(202, true),
    BAD_AUTHENTICATION(203, true),
    ILLEGAL_REALM_PATH(204, false),
    NO_SUCH_REALM(205, true),
    PERMISSION_DENIED(206, false),
    BAD_SERVER_FILE_IDENT(207, true),
    BAD_CLIENT_FILE_IDENT(208, false),
    BAD_SERVER_VERSION(209, false),
    BAD_CLIENT_VERSION(210, false),
    DIVERGING_HISTORIES(211, false),
    BAD_CHANGESET(212, false),
    DISABLED_SESSION(213, false),
    PARTIAL_SYNC_DISABLED(214, true),
    UNSUPPORTED_SESSION_FEATURE(215, true),
    BAD_ORIGIN_FILE_IDENT(216, false),
    BAD_CLIENT_FILE(217, false),
    SERVER_FILE_DELETED(218, true),
    CLIENT_FILE_BLACKLISTED(219, true),
    USER_BLACKLISTED(220, true),
    TRANSACT_BEFORE_UPLOAD(221, true),
    CLIENT_FILE_EXPIRED(222, false),
    USER_MISMATCH(223, false),
    TOO_MANY_SESSIONS(224, true),
    INVALID_SCHEMA_CHANGE(225, false),
    BAD_QUERY(226, false),
    OBJECT_ALREADY_EXISTS(227, false),
    SERVER_PERMISSIONS_CHANGED(228, false),
    INITIAL_SYNC_NOT_COMPLETED(229, false),
    WRITE_NOT_ALLOWED(230, false),
    COMPENSATING_WRITE(231, false),
    MIGRATE_TO_FLX(232, false),
    BAD_PROGRESS(233, false),
    REVERT_TO_PBS(234, false),
    BAD_SCHEMA_VERSION(235, false),
    SCHEMA_VERSION_CHANGED(236, false);

    private static final ProtocolErrorCode[] BY_CODE = new ProtocolErrorCode[300];

    static
    {
        for (final ProtocolErrorCode c : values())
        {
            BY_CODE[c.code] = c;
        }
    }

    private final int code;
    private final boolean unsafeForClient;

    ProtocolErrorCode(final int code, final boolean unsafeForClient)
    {
        this.code = code;
        this.unsafeForClient = unsafeForClient;
    }

    /** @return the number on the wire. */
    public int code()
    {
        return code;
    }

    /** @return true for 100..199: sent with session ident 0, closes the connection. */
    public boolean isConnectionLevel()
    {
        return code < 200;
    }

    /** @return true if realm-core 14.x clients abort on this code; never send it. */
    public boolean unsafeForClient()
    {
        return unsafeForClient;
    }

    /** @return the code for a number, or null if unknown. */
    public static ProtocolErrorCode of(final long code)
    {
        return code >= 0 && code < BY_CODE.length ? BY_CODE[(int)code] : null;
    }
}
