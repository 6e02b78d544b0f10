package dev.outpost.server.admin;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Headless Chromium driven through the Chrome DevTools Protocol (a page target, over the JDK's WebSocket client), for
 * browser tests of the web console: evaluate script, wait for a condition, take screenshots at a viewport size.
 */
final class Cdp implements AutoCloseable
{
    private static final Pattern LISTENING = Pattern.compile("DevTools listening on (ws://[^\\s]+)");
    private static final long WAIT_MS = 30_000;

    private final Process process;
    private final WebSocket socket;
    private final AtomicLong ids = new AtomicLong();
    private final Map<Long, CompletableFuture<JsonObject>> pending = new ConcurrentHashMap<>();
    private final List<String> consoleErrors = new ArrayList<>();

    private Cdp(final Process process, final WebSocket socket)
    {
        this.process = process;
        this.socket = socket;
    }

    static Cdp launch(final String chromium, final Path profile) throws Exception
    {
        final Process p = new ProcessBuilder(chromium, "--headless", "--no-sandbox", "--disable-gpu",
            "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run",
            "--disable-dev-shm-usage", "--hide-scrollbars", "--remote-debugging-address=127.0.0.1",
            "--remote-debugging-port=0", "--user-data-dir=" + profile, "--window-size=1280,800", "about:blank")
            .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        try
        {
            final BufferedReader err = new BufferedReader(new InputStreamReader(p.getErrorStream(),
                StandardCharsets.UTF_8));
            String browserUrl = null;
            for (String line = err.readLine(); null != line; line = err.readLine())
            {
                final Matcher m = LISTENING.matcher(line);
                if (m.find())
                {
                    browserUrl = m.group(1);
                    break;
                }
            }
            if (null == browserUrl)
            {
                throw new IllegalStateException("chromium did not start its DevTools endpoint");
            }
            final Thread drain = new Thread(() ->
            {
                try
                {
                    while (null != err.readLine())
                    {
                        // keep chromium's stderr from filling its pipe
                    }
                }
                catch (final java.io.IOException ignored)
                {
                    // closed
                }
            }, "chromium-stderr");
            drain.setDaemon(true);
            drain.start();
            final URI browser = URI.create(browserUrl);
            final HttpClient http = HttpClient.newHttpClient();
            final JsonArray targets = new JsonArray(http.send(HttpRequest.newBuilder(URI.create("http://" +
                browser.getAuthority() + "/json/list")).build(), HttpResponse.BodyHandlers.ofString()).body());
            String pageUrl = null;
            for (int i = 0; i < targets.size(); i++)
            {
                if ("page".equals(targets.getJsonObject(i).getString("type")))
                {
                    pageUrl = targets.getJsonObject(i).getString("webSocketDebuggerUrl");
                }
            }
            if (null == pageUrl)
            {
                throw new IllegalStateException("chromium has no page target");
            }
            final Cdp[] self = new Cdp[1];
            final StringBuilder partial = new StringBuilder();
            final WebSocket ws = http.newWebSocketBuilder().buildAsync(URI.create(pageUrl), new WebSocket.Listener()
            {
                @Override
                public CompletionStage<?> onText(final WebSocket webSocket, final CharSequence data, final boolean last)
                {
                    partial.append(data);
                    if (last)
                    {
                        final String text = partial.toString();
                        partial.setLength(0);
                        while (null == self[0])
                        {
                            Thread.onSpinWait();
                        }
                        self[0].onMessage(new JsonObject(text));
                    }
                    webSocket.request(1);
                    return null;
                }
            }).get(30, TimeUnit.SECONDS);
            self[0] = new Cdp(p, ws);
            self[0].send("Runtime.enable", new JsonObject());
            self[0].send("Page.enable", new JsonObject());
            return self[0];
        }
        catch (final Exception ex)
        {
            p.destroyForcibly();
            throw ex;
        }
    }

    private void onMessage(final JsonObject message)
    {
        final Long id = message.getLong("id");
        if (null != id)
        {
            final CompletableFuture<JsonObject> f = pending.remove(id);
            if (null != f)
            {
                f.complete(message);
            }
        }
        else if ("Runtime.exceptionThrown".equals(message.getString("method")))
        {
            synchronized (consoleErrors)
            {
                consoleErrors.add(message.getJsonObject("params").encode());
            }
        }
    }

    JsonObject send(final String method, final JsonObject params) throws Exception
    {
        final long id = ids.incrementAndGet();
        final CompletableFuture<JsonObject> f = new CompletableFuture<>();
        pending.put(id, f);
        socket.sendText(new JsonObject().put("id", id).put("method", method).put("params", params).encode(), true)
            .get(10, TimeUnit.SECONDS);
        final JsonObject reply = f.get(60, TimeUnit.SECONDS);
        if (reply.containsKey("error"))
        {
            throw new IllegalStateException(method + ": " + reply.getJsonObject("error").encode());
        }
        return reply.getJsonObject("result");
    }

    /** @return the value of the expression (promises awaited). */
    Object eval(final String expression) throws Exception
    {
        final JsonObject r = send("Runtime.evaluate", new JsonObject().put("expression", expression)
            .put("awaitPromise", true).put("returnByValue", true));
        if (r.containsKey("exceptionDetails"))
        {
            throw new IllegalStateException("script failed: " + expression + ": " +
                r.getJsonObject("exceptionDetails").encode());
        }
        return r.getJsonObject("result").getValue("value");
    }

    /** Waits until the expression is truthy; fails with {@code what} and the page's banner after 30 s. */
    void waitFor(final String what, final String expression) throws Exception
    {
        final long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(WAIT_MS);
        while (System.nanoTime() < deadline)
        {
            final Object v = eval("!!(" + expression + ")");
            if (Boolean.TRUE.equals(v))
            {
                return;
            }
            Thread.sleep(100);
        }
        throw new AssertionError("timed out waiting for " + what + "; banner: " +
            eval("document.getElementById('banner') ? document.getElementById('banner').textContent : ''") +
            "; page: " + eval("location.href") + "; errors: " + consoleErrors());
    }

    void navigate(final String url) throws Exception
    {
        final JsonObject r = send("Page.navigate", new JsonObject().put("url", url));
        if (null != r.getString("errorText"))
        {
            throw new IllegalStateException("chromium could not load " + url + ": " + r.getString("errorText"));
        }
    }

    void viewport(final int width, final int height) throws Exception
    {
        send("Emulation.setDeviceMetricsOverride", new JsonObject().put("width", width).put("height", height)
            .put("deviceScaleFactor", 1).put("mobile", width < 600));
    }

    /** A PNG of the viewport, written to {@code file}. */
    byte[] screenshot(final Path file) throws Exception
    {
        final byte[] png = Base64.getDecoder().decode(send("Page.captureScreenshot",
            new JsonObject().put("format", "png")).getString("data"));
        Files.createDirectories(file.getParent());
        Files.write(file, png);
        return png;
    }

    List<String> consoleErrors()
    {
        synchronized (consoleErrors)
        {
            return new ArrayList<>(consoleErrors);
        }
    }

    @Override
    public void close() throws Exception
    {
        try
        {
            socket.abort();
        }
        finally
        {
            process.destroy();
            if (!process.waitFor(10, TimeUnit.SECONDS))
            {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        }
    }
}
