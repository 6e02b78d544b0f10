package dev.outpost.server.ws;

import java.util.ArrayList;
import java.util.List;

/**
 * Picks the sync protocol version from the client's {@code Sec-WebSocket-Protocol} offer.
 * <p>
 * Accepted token forms, for both prefixes ({@code com.mongodb.realm-sync} for PBS,
 * {@code com.mongodb.realm-query-sync} for FLX): {@code prefix#N} (current clients, one token per version),
 * {@code prefix#A-B} (ranges, as the reference server accepts) and the pre-v8 separator {@code prefix/N},
 * {@code prefix/A-B}. Tokens with another prefix are ignored. The highest version inside both the client's offer
 * and the server's range wins; on a tie the token offered first wins. The answer names exactly one token: the
 * chosen prefix and separator with the chosen version.
 * <p>
 * Stateless and thread-safe.
 */
public final class SubprotocolNegotiator
{
    /** Oldest version realm-core 14 accepts. */
    public static final int MIN_VERSION = 2;
    /** Current version of realm-core 14.11+. */
    public static final int MAX_VERSION = 14;

    private static final int MAX_TOKENS = 64;

    private final int serverMin;
    private final int serverMax;

    /**
     * @param serverMin oldest version the server speaks.
     * @param serverMax newest version the server speaks.
     */
    public SubprotocolNegotiator(final int serverMin, final int serverMax)
    {
        if (serverMin < 1 || serverMax < serverMin)
        {
            throw new IllegalArgumentException("bad version range " + serverMin + ".." + serverMax);
        }
        this.serverMin = serverMin;
        this.serverMax = serverMax;
    }

    /**
     * @return a negotiator for versions {@value #MIN_VERSION}..{@value #MAX_VERSION}.
     */
    public static SubprotocolNegotiator standard()
    {
        return new SubprotocolNegotiator(MIN_VERSION, MAX_VERSION);
    }

    /**
     * @param headerValues every {@code Sec-WebSocket-Protocol} header value of the request (comma-separated lists).
     * @return the chosen protocol, or a failure with a message for a 400 answer.
     */
    public Result negotiate(final List<String> headerValues)
    {
        final List<Offer> offers = new ArrayList<>();
        for (final String value : headerValues)
        {
            for (final String raw : value.split(","))
            {
                final String token = raw.trim();
                if (token.isEmpty())
                {
                    continue;
                }
                if (offers.size() >= MAX_TOKENS)
                {
                    return Result.failure("Protocol version negotiation failed: more than " + MAX_TOKENS +
                        " sub-protocol tokens offered");
                }
                final SyncMode mode = token.startsWith(SyncMode.FLX.subprotocolPrefix()) ? SyncMode.FLX :
                    token.startsWith(SyncMode.PBS.subprotocolPrefix()) ? SyncMode.PBS : null;
                if (null == mode)
                {
                    continue;
                }
                final String rest = token.substring(mode.subprotocolPrefix().length());
                if (rest.length() < 2 || (rest.charAt(0) != '#' && rest.charAt(0) != '/'))
                {
                    continue; // a different protocol that merely shares the prefix
                }
                final String range = rest.substring(1);
                final int dash = range.indexOf('-');
                final int min = parseVersion(dash < 0 ? range : range.substring(0, dash));
                final int max = dash < 0 ? min : parseVersion(range.substring(dash + 1));
                if (min < 0 || max < 0 || min > max)
                {
                    return Result.failure("Protocol version negotiation failed: malformed sub-protocol token '" +
                        token + "'");
                }
                offers.add(new Offer(mode, rest.charAt(0), min, max));
            }
        }
        if (offers.isEmpty())
        {
            return Result.failure("Protocol version negotiation failed: missing specification of supported " +
                "protocol versions (expected Sec-WebSocket-Protocol: " + SyncMode.PBS.subprotocolPrefix() + "#N or " +
                SyncMode.FLX.subprotocolPrefix() + "#N)");
        }
        Offer best = null;
        int bestVersion = 0;
        for (final Offer offer : offers)
        {
            if (offer.max >= serverMin && offer.min <= serverMax)
            {
                final int version = Math.min(offer.max, serverMax);
                if (version > bestVersion)
                {
                    best = offer;
                    bestVersion = version;
                }
            }
        }
        if (null == best)
        {
            final StringBuilder client = new StringBuilder();
            for (final Offer offer : offers)
            {
                if (client.length() > 0)
                {
                    client.append(", ");
                }
                client.append(offer.min);
                if (offer.max != offer.min)
                {
                    client.append('-').append(offer.max);
                }
            }
            return Result.failure("Protocol version negotiation failed: no version supported by both client and " +
                "server. Server supports: " + serverMin + "-" + serverMax + "; client supports: " + client);
        }
        return new Result(new NegotiatedProtocol(best.mode, bestVersion,
            best.mode.subprotocolPrefix() + best.separator + bestVersion), null);
    }

    private static int parseVersion(final String text)
    {
        if (text.isEmpty() || text.length() > 6)
        {
            return -1;
        }
        int value = 0;
        for (int i = 0; i < text.length(); i++)
        {
            final char c = text.charAt(i);
            if (c < '0' || c > '9')
            {
                return -1;
            }
            value = value * 10 + (c - '0');
        }
        return value;
    }

    /**
     * Negotiation outcome: exactly one of {@code protocol} and {@code error} is set.
     *
     * @param protocol the chosen protocol.
     * @param error    why none could be chosen.
     */
    public record Result(NegotiatedProtocol protocol, String error)
    {
        static Result failure(final String error)
        {
            return new Result(null, error);
        }

        public boolean succeeded()
        {
            return null != protocol;
        }
    }

    private record Offer(SyncMode mode, char separator, int min, int max)
    {
    }
}
