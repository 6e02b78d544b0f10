package dev.outpost.ot.rules;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The app-wide values rules may expand: {@code %%values.<name>} and {@code %%environment.<path>} (for example
 * {@code %%environment.tag}, {@code %%environment.values.<name>}). Values are JSON-like Java values. Immutable.
 *
 * @param values      value name to value.
 * @param environment the environment document ({@code tag}, {@code values}).
 */
public record RuleValues(Map<String, Object> values, Map<String, Object> environment)
{
    /** No values, no environment. */
    public static final RuleValues NONE = new RuleValues(Map.of(), Map.of());

    public RuleValues
    {
        values = null == values ? Map.of() : Collections.unmodifiableMap(new LinkedHashMap<>(values));
        environment = null == environment ? Map.of() :
            Collections.unmodifiableMap(new LinkedHashMap<>(environment));
    }
}
