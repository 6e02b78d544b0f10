package dev.outpost.server.http;

import io.vertx.core.json.JsonObject;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/**
 * Plain JDK HTTP/1.1 client for the App Services endpoints, as realm-core's transport would call them.
 */
final class ApiClient
{
    private final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
        .connectTimeout(Duration.ofSeconds(5)).build();
    private final String baseUrl;

    ApiClient(final String baseUrl)
    {
        this.baseUrl = baseUrl;
    }

    HttpResponse<String> send(final String method, final String path, final String bearer, final String body)
        throws Exception
    {
        final HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(baseUrl + path))
            .timeout(Duration.ofSeconds(10))
            .header("Content-Type", "application/json;charset=utf-8")
            .header("Accept", "application/json")
            .method(method, null == body ? HttpRequest.BodyPublishers.noBody() :
                HttpRequest.BodyPublishers.ofString(body));
        if (null != bearer)
        {
            b.header("Authorization", "Bearer " + bearer);
        }
        return client.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    JsonObject login(final String app) throws Exception
    {
        final HttpResponse<String> response = send("POST",
            "/api/client/v2.0/app/" + app + "/auth/providers/anon-user/login", null,
            "{\"provider\":\"anon-user\",\"options\":{\"device\":{\"sdk\":\"test\"}}}");
        if (response.statusCode() != 200)
        {
            throw new AssertionError("login failed: " + response.statusCode() + " " + response.body());
        }
        return new JsonObject(response.body());
    }
}
