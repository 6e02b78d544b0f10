package dev.outpost.server.auth;

/**
 * The two kinds of token the server issues. The kind travels in the {@value #CLAIM} claim, so a refresh token is
 * never accepted where an access token is expected, and the other way round.
 */
public enum TokenType
{
    ACCESS("access"),
    REFRESH("refresh");

    /** Claim holding the token type. */
    public static final String CLAIM = "token_type";

    private final String claimValue;

    TokenType(final String claimValue)
    {
        this.claimValue = claimValue;
    }

    public String claimValue()
    {
        return claimValue;
    }
}
