package dev.outpost.server.config;

/**
 * How access and refresh tokens are signed.
 */
public enum JwtAlgorithm
{
    /** HMAC-SHA256 with a 256-bit secret generated on first start and kept in the data directory. */
    HS256,
    /** RSA-SHA256 with an operator-supplied PEM key pair (PKCS#8 private key, X.509 public key). */
    RS256
}
