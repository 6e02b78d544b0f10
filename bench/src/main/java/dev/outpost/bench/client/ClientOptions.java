package dev.outpost.bench.client;

/**
 * Settings of a {@link SyncClient}: server, app, sync mode and the timings of ping and reconnect. Mutable builder;
 * set up before the client is created, not changed afterwards.
 */
public final class ClientOptions
{
    String baseUrl = "http://127.0.0.1:9090";
    String appId = "outpost";
    boolean flx;
    long pingIntervalMs = 60_000;
    long backoffBaseMs = 1_000;
    long backoffMaxMs = 300_000;
    int protocolVersion = 14;
    ClientMetrics metrics = ClientMetrics.NONE;

    public ClientOptions baseUrl(final String baseUrl)
    {
        this.baseUrl = baseUrl.endsWith("/") ? baseUrl.substring(0, baseUrl.length() - 1) : baseUrl;
        return this;
    }

    public ClientOptions appId(final String appId)
    {
        this.appId = appId;
        return this;
    }

    /** Query-based sync ({@code com.mongodb.realm-query-sync}) instead of partition-based sync. */
    public ClientOptions flx(final boolean flx)
    {
        this.flx = flx;
        return this;
    }

    public ClientOptions pingIntervalMs(final long ms)
    {
        this.pingIntervalMs = ms;
        return this;
    }

    /** Reconnect backoff: starts at {@code baseMs}, doubles per failed attempt up to {@code maxMs}, with jitter. */
    public ClientOptions backoff(final long baseMs, final long maxMs)
    {
        this.backoffBaseMs = baseMs;
        this.backoffMaxMs = maxMs;
        return this;
    }

    public ClientOptions metrics(final ClientMetrics metrics)
    {
        this.metrics = metrics;
        return this;
    }

    public String baseUrl()
    {
        return baseUrl;
    }

    public String appId()
    {
        return appId;
    }

    public boolean flx()
    {
        return flx;
    }

    public ClientMetrics metrics()
    {
        return metrics;
    }
}
