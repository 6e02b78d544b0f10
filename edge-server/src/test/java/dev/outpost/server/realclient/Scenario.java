package dev.outpost.server.realclient;

import java.util.Map;

/**
 * One thing a real client does against the server, run inside the driver JVM. A scenario records what it observed
 * in {@code result}; throwing marks the run as failed (exit code 1) but the result line is still printed.
 */
@FunctionalInterface
interface Scenario
{
    /**
     * @param client  the client (App created, nobody logged in yet).
     * @param params  scenario parameters from {@code --param key=value} arguments.
     * @param result  the JSON result line being built.
     */
    void run(RealmClient client, Map<String, String> params, JsonLine result) throws Exception;
}
