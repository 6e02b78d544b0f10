package dev.outpost.server.auth;

/**
 * A request's credentials are not acceptable. Carries the HTTP status and the App Services {@code error_code} the
 * client should see. Stackless: it reports a peer's bad input, not a server fault.
 */
public final class AuthException extends Exception
{
    private static final long serialVersionUID = 1L;

    /** Error code realm-core maps to "refresh the token" (401) or "log out" (on a refresh request). */
    public static final String INVALID_SESSION = "InvalidSession";

    /** Wrong email/password, API key or custom token (login). */
    public static final String INVALID_PASSWORD = "InvalidPassword";

    private final int httpStatus;
    private final String errorCode;

    public AuthException(final int httpStatus, final String errorCode, final String message)
    {
        super(message, null, false, false);
        this.httpStatus = httpStatus;
        this.errorCode = errorCode;
    }

    /**
     * @return 401 {@code UserDisabled}, as App Services answers a disabled user's login or token.
     */
    public static AuthException userDisabled()
    {
        return new AuthException(401, "UserDisabled", "user disabled");
    }

    /**
     * @param message why the token was refused (shown to the client, so never secret material).
     * @return a 401 {@code InvalidSession}.
     */
    public static AuthException invalidSession(final String message)
    {
        return new AuthException(401, INVALID_SESSION, message);
    }

    /**
     * @param message why the credentials were refused (never the credentials themselves).
     * @return a 401 {@code InvalidPassword}.
     */
    public static AuthException invalidCredentials(final String message)
    {
        return new AuthException(401, INVALID_PASSWORD, message);
    }

    public int httpStatus()
    {
        return httpStatus;
    }

    public String errorCode()
    {
        return errorCode;
    }
}
