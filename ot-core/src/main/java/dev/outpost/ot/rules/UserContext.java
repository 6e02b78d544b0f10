package dev.outpost.ot.rules;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * The user a session runs for, as rules see it: {@code %%user.id}, {@code %%user.data.*} (the profile data: auth
 * metadata, e.g. {@code email} of an email/password user or a custom token's metadata fields) and
 * {@code %%user.custom_data.*} (custom user data, empty when the app configures none). Values are JSON-like Java
 * values (String, Long, Double, Boolean, null, Map, List; Extended JSON maps for typed values). Immutable.
 *
 * @param id         the user's id (24 hex digits in Outpost and Atlas).
 * @param data       the profile data.
 * @param customData the custom user data.
 */
public record UserContext(String id, Map<String, Object> data, Map<String, Object> customData)
{
    public UserContext
    {
        Objects.requireNonNull(id, "id");
        data = null == data ? Map.of() : Collections.unmodifiableMap(new LinkedHashMap<>(data));
        customData = null == customData ? Map.of() : Collections.unmodifiableMap(new LinkedHashMap<>(customData));
    }

    /** @return a user with an id and no data. */
    public static UserContext of(final String id)
    {
        return new UserContext(id, Map.of(), Map.of());
    }
}
