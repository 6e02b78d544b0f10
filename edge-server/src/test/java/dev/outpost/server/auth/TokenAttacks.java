package dev.outpost.server.auth;

import io.vertx.core.json.JsonObject;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.interfaces.RSAPublicKey;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

/**
 * The forged, stolen-and-altered and misused bearer tokens of issue 15 item 5, built from a real token pair of the
 * server under test: each must be refused with 401 {@code InvalidSession} by every route that takes a token and by
 * the sync WebSocket upgrade. The cases that need the server's own key (a genuine signature over claims the server
 * must still refuse: expired, not yet valid, unknown session, oversized) sign with {@link Key}, read from the data
 * directory (HS256) or the PEM files the test wrote (RS256). Test helper, not thread-safe.
 */
public final class TokenAttacks
{
    /** Longer than any token the server accepts (8 KiB). */
    public static final int OVERSIZED_PAD = 9_000;

    /** One attack: what it is and the token sent. */
    public record Attack(String name, String token)
    {
        @Override
        public String toString()
        {
            return name;
        }
    }

    /** The server's signing key: an HS256 secret or an RS256 private key (and its public key, for confusion). */
    public record Key(String hsSecret, PrivateKey rsPrivate, RSAPublicKey rsPublic, String rsPublicPem)
    {
        public static Key ofHs256(final Path keyFile) throws Exception
        {
            return new Key(Files.readString(keyFile).trim(), null, null, null);
        }

        public static Key ofRs256(final KeyPair pair) throws Exception
        {
            return new Key(null, pair.getPrivate(), (RSAPublicKey)pair.getPublic(),
                pem("PUBLIC KEY", pair.getPublic().getEncoded()));
        }

        public String sign(final JsonObject payload)
        {
            return null != hsSecret ? hs256(payload, hsSecret.getBytes(StandardCharsets.UTF_8)) :
                rs256(new JsonObject().put("alg", "RS256").put("typ", "JWT"), payload, rsPrivate);
        }
    }

    private TokenAttacks()
    {
    }

    /**
     * @param access     a genuine access token of the app under attack.
     * @param refresh    a genuine refresh token of the same session.
     * @param otherUser  the user id of another user of the same app (the victim of a {@code sub} swap).
     * @param otherKey   the key of another app or server (a token it signs is genuine, but not ours).
     * @param key        the server's own key.
     * @param nowSeconds the server's clock.
     * @return every token that must not authenticate, in a stable order; both types for the type-independent cases.
     */
    public static List<Attack> forged(final String access, final String refresh, final String otherUser,
        final Key otherKey, final Key key, final long nowSeconds) throws Exception
    {
        final List<Attack> out = new ArrayList<>();
        final KeyPair attackerPair = rsaPair();
        for (final String token : new String[]{access, refresh})
        {
            final String type = token == access ? "access" : "refresh";
            final JsonObject header = part(token, 0);
            final JsonObject payload = part(token, 1);
            final String signature = token.substring(token.lastIndexOf('.') + 1);
            // Unsigned tokens.
            out.add(new Attack(type + ": alg none, no signature",
                encode(new JsonObject().put("alg", "none").put("typ", "JWT")) + "." + encode(payload) + "."));
            out.add(new Attack(type + ": alg None, no signature",
                encode(new JsonObject().put("alg", "None")) + "." + encode(payload) + "."));
            out.add(new Attack(type + ": alg none, the genuine signature",
                encode(new JsonObject().put("alg", "none")) + "." + encode(payload) + "." + signature));
            out.add(new Attack(type + ": no alg", encode(new JsonObject().put("typ", "JWT")) + "." + encode(payload) +
                "." + signature));
            out.add(new Attack(type + ": two segments", encode(header) + "." + encode(payload)));
            // Algorithm confusion and keys that are not ours.
            if (null != key.rsPublicPem())
            {
                out.add(new Attack(type + ": HS256 keyed with the server's RS256 public key (PEM)",
                    hs256(payload, key.rsPublicPem().getBytes(StandardCharsets.US_ASCII))));
                out.add(new Attack(type + ": HS256 keyed with the server's RS256 public key (DER)",
                    hs256(payload, key.rsPublic().getEncoded())));
            }
            else
            {
                out.add(new Attack(type + ": RS256 under the server's HS256 header kind",
                    rs256(new JsonObject().put("alg", "RS256").put("typ", "JWT"), payload, attackerPair.getPrivate())));
            }
            out.add(new Attack(type + ": HS256 with a guessed secret", hs256(payload,
                "secret".getBytes(StandardCharsets.US_ASCII))));
            out.add(new Attack(type + ": HS256 with an empty secret", hs256(payload, new byte[0])));
            out.add(new Attack(type + ": RS256 by an attacker's key with the key embedded (jwk)",
                rs256(new JsonObject().put("alg", "RS256").put("typ", "JWT").put("jwk", jwk(
                    (RSAPublicKey)attackerPair.getPublic())), payload, attackerPair.getPrivate())));
            out.add(new Attack(type + ": ES256 header, junk signature", encode(new JsonObject().put("alg", "ES256")) +
                "." + encode(payload) + "." + signature));
            out.add(new Attack(type + ": genuine claims signed by another app's key", otherKey.sign(payload)));
            // A genuine token, altered.
            out.add(new Attack(type + ": tampered signature", token.substring(0, token.lastIndexOf('.') + 1) +
                flip(signature)));
            out.add(new Attack(type + ": signature of another token", encode(header) + "." + encode(payload) + "." +
                (token == access ? refresh : access).substring((token == access ? refresh : access)
                    .lastIndexOf('.') + 1)));
            out.add(new Attack(type + ": sub swapped to another user", resign(token, payload.copy()
                .put("sub", otherUser))));
            out.add(new Attack(type + ": exp extended by a year", resign(token, payload.copy()
                .put("exp", payload.getLong("exp") + 365L * 86_400))));
            out.add(new Attack(type + ": token_type swapped", resign(token, payload.copy()
                .put(TokenType.CLAIM, token == access ? "refresh" : "access"))));
            out.add(new Attack(type + ": app swapped", resign(token, payload.copy().put("app", "other"))));
            // Genuinely signed by the server's key, but expired, early, of no session, or too big.
            out.add(new Attack(type + ": expired (signed by the server's key)", key.sign(payload.copy()
                .put("iat", nowSeconds - 7200).put("exp", nowSeconds - 1))));
            out.add(new Attack(type + ": expiring now (exp == now)", key.sign(payload.copy()
                .put("iat", nowSeconds - 60).put("exp", nowSeconds))));
            out.add(new Attack(type + ": not valid yet (nbf in an hour)", key.sign(payload.copy()
                .put("nbf", nowSeconds + 3600))));
            out.add(new Attack(type + ": a session that does not exist", key.sign(payload.copy()
                .put("sid", "000000000000000000000000"))));
            out.add(new Attack(type + ": a session of another user", key.sign(payload.copy().put("sub", otherUser))));
            out.add(new Attack(type + ": a token of an app that is not served", key.sign(payload.copy()
                .put("app", "no-such-app"))));
            out.add(new Attack(type + ": oversized (genuinely signed, " + OVERSIZED_PAD + " bytes of claims)",
                key.sign(payload.copy().put("pad", "x".repeat(OVERSIZED_PAD)))));
            out.add(new Attack(type + ": exp far beyond a long", key.sign(payload.copy()
                .put("exp", new BigInteger("1180591620717411303424")))));
        }
        out.add(new Attack("empty token", ""));
        out.add(new Attack("not a JWT", "not-a-jwt"));
        out.add(new Attack("four segments", access + ".x"));
        out.add(new Attack("header not JSON", encode("{\"alg\":") + "." + access.split("\\.")[1] + "." +
            access.split("\\.")[2]));
        out.add(new Attack("payload not base64url", access.split("\\.")[0] + ".!!!." + access.split("\\.")[2]));
        return out;
    }

    /** Same header and signature, new payload: what an attacker who cannot sign does. */
    private static String resign(final String token, final JsonObject payload)
    {
        final String[] parts = token.split("\\.");
        return parts[0] + "." + encode(payload) + "." + parts[2];
    }

    /** Change one character in the middle (the last may only carry padding bits). */
    private static String flip(final String signature)
    {
        final int i = signature.length() / 2;
        final char c = signature.charAt(i);
        return signature.substring(0, i) + (c == 'A' ? 'B' : 'A') + signature.substring(i + 1);
    }

    public static JsonObject part(final String token, final int index)
    {
        return new JsonObject(new String(Base64.getUrlDecoder().decode(token.split("\\.")[index]),
            StandardCharsets.UTF_8));
    }

    public static String encode(final JsonObject json)
    {
        return encode(json.encode());
    }

    public static String encode(final String text)
    {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(text.getBytes(StandardCharsets.UTF_8));
    }

    public static String hs256(final JsonObject payload, final byte[] secret)
    {
        try
        {
            final String signingInput = encode(new JsonObject().put("alg", "HS256").put("typ", "JWT")) + "." +
                encode(payload);
            final Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(0 == secret.length ? new byte[1] : secret, "HmacSHA256"));
            final byte[] sig = 0 == secret.length ? new byte[32] : mac.doFinal(signingInput.getBytes(
                StandardCharsets.US_ASCII));
            return signingInput + "." + Base64.getUrlEncoder().withoutPadding().encodeToString(sig);
        }
        catch (final Exception ex)
        {
            throw new IllegalStateException(ex);
        }
    }

    public static String rs256(final JsonObject header, final JsonObject payload, final PrivateKey key)
    {
        try
        {
            final String signingInput = encode(header) + "." + encode(payload);
            final Signature rsa = Signature.getInstance("SHA256withRSA");
            rsa.initSign(key);
            rsa.update(signingInput.getBytes(StandardCharsets.US_ASCII));
            return signingInput + "." + Base64.getUrlEncoder().withoutPadding().encodeToString(rsa.sign());
        }
        catch (final Exception ex)
        {
            throw new IllegalStateException(ex);
        }
    }

    public static KeyPair rsaPair() throws Exception
    {
        final KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
        generator.initialize(2048);
        return generator.generateKeyPair();
    }

    public static String pem(final String type, final byte[] der)
    {
        return "-----BEGIN " + type + "-----\n" + Base64.getMimeEncoder(64, new byte[]{'\n'}).encodeToString(der) +
            "\n-----END " + type + "-----\n";
    }

    private static JsonObject jwk(final RSAPublicKey key)
    {
        final Base64.Encoder b64 = Base64.getUrlEncoder().withoutPadding();
        return new JsonObject().put("kty", "RSA").put("alg", "RS256").put("use", "sig")
            .put("n", b64.encodeToString(unsigned(key.getModulus())))
            .put("e", b64.encodeToString(unsigned(key.getPublicExponent())));
    }

    private static byte[] unsigned(final BigInteger value)
    {
        final byte[] bytes = value.toByteArray();
        return bytes[0] == 0 ? java.util.Arrays.copyOfRange(bytes, 1, bytes.length) : bytes;
    }
}
