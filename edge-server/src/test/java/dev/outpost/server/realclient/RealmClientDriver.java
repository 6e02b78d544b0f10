package dev.outpost.server.realclient;

import io.realm.kotlin.internal.interop.CoreLogLevel;

import java.io.File;
import java.io.PrintStream;
import java.util.HashMap;
import java.util.Map;

import static dev.outpost.server.realclient.RealmClient.RI;

/**
 * Main class of one real-client JVM: {@code --port P --dir D --scenario NAME [--app A] [--log-level info]
 * [--param key=value]...}. Runs the scenario against {@code http://127.0.0.1:P}, prints exactly one JSON line on
 * stdout ({@code {"scenario":..,"ok":..,...,"error":..}}), logs to stderr, and ends with {@code Runtime.halt}
 * (the native sync threads would keep the JVM alive). Exit code 0 = scenario passed, 1 = it threw, 2 = bad usage.
 */
public final class RealmClientDriver
{
    private RealmClientDriver()
    {
    }

    public static void main(final String[] args)
    {
        final PrintStream stdout = System.out;
        System.setOut(System.err); // only the result line goes to stdout
        final Map<String, String> options = new HashMap<>();
        final Map<String, String> params = new HashMap<>();
        for (int i = 0; i + 1 < args.length; i += 2)
        {
            if ("--param".equals(args[i]))
            {
                final int eq = args[i + 1].indexOf('=');
                params.put(args[i + 1].substring(0, eq), args[i + 1].substring(eq + 1));
            }
            else
            {
                options.put(args[i].replaceFirst("^--", ""), args[i + 1]);
            }
        }
        final String name = options.get("scenario");
        final Scenario scenario = Scenarios.ALL.get(name);
        final JsonLine result = new JsonLine().put("scenario", name);
        if (null == scenario || !options.containsKey("port") || !options.containsKey("dir"))
        {
            result.put("ok", false).put("error", "usage: --port P --dir D --scenario one of " + Scenarios.ALL.keySet());
            finish(stdout, result, 2);
            return;
        }
        final long start = System.nanoTime();
        int exit = 0;
        try
        {
            final File dir = new File(options.get("dir"));
            if (!dir.isDirectory() && !dir.mkdirs())
            {
                throw new IllegalStateException("cannot create " + dir);
            }
            RealmClient.installLog(System.err, CoreLogLevel.valueOf(
                "RLM_LOG_LEVEL_" + options.getOrDefault("log-level", "debug").toUpperCase()));
            result.put("core_version", RI.realm_get_library_version());
            // With a trusted certificate: https/wss to localhost (the name a self-signed certificate carries).
            RealmClient.trustCertificate = params.get("trustCert");
            final String base = null == RealmClient.trustCertificate ? "http://127.0.0.1:" : "https://localhost:";
            final RealmClient client = new RealmClient(base + options.get("port"),
                options.getOrDefault("app", "outpost"), dir, System.err);
            scenario.run(client, params, result);
            result.put("ok", true);
        }
        catch (final Throwable ex)
        {
            ex.printStackTrace(System.err);
            result.put("ok", false).put("error", String.valueOf(ex));
            exit = 1;
        }
        result.put("elapsed_ms", (System.nanoTime() - start) / 1_000_000);
        finish(stdout, result, exit);
    }

    private static void finish(final PrintStream stdout, final JsonLine result, final int exit)
    {
        stdout.println(result);
        stdout.flush();
        System.err.flush();
        Runtime.getRuntime().halt(exit);
    }
}
