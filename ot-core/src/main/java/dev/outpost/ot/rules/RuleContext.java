package dev.outpost.ot.rules;

import java.util.Objects;

/**
 * Everything expansions resolve from when a session's rules are bound (once, at BIND / session start): the app's
 * values, the user, and for partition-based sync the partition value. Immutable.
 *
 * @param values    the app's values and environment.
 * @param user      the session's user.
 * @param partition the partition value ({@code %%partition}) as a JSON-like value, or null when there is none
 *                  (flexible sync); see {@link #partitionOf(String)}.
 */
public record RuleContext(RuleValues values, UserContext user, Object partition)
{
    public RuleContext
    {
        Objects.requireNonNull(values, "values");
        Objects.requireNonNull(user, "user");
    }

    /**
     * @param bindPath the partition as a PBS BIND carries it: the value in canonical Extended JSON ({@code "p1"},
     *                 {@code {"$oid": "..."}}, {@code {"$numberLong": "5"}}, ...).
     * @return the value: the parsed JSON, or the text itself when it is not JSON (raw clients).
     */
    public static Object partitionOf(final String bindPath)
    {
        try
        {
            final Object v = RuleJson.parse(bindPath);
            return v instanceof java.util.List ? bindPath : v;
        }
        catch (final RuleRefusal notJson)
        {
            return bindPath;
        }
    }
}
