package dev.outpost.server.sync.flx;

import dev.outpost.ot.rules.DocumentFilter;
import dev.outpost.ot.rules.Role;
import dev.outpost.ot.rules.RuleContext;
import dev.outpost.ot.rules.Rules;
import dev.outpost.ot.rules.UserContext;

import java.util.concurrent.ConcurrentHashMap;

/**
 * The roles of one FLX session: per class the first role whose {@code apply_when} holds for the session's user,
 * chosen once (the first time the class is needed) and kept for the session's life. A session's view of a class is
 * its subscription query AND {@link Role#view()}; a class whose role reads nothing is not in the view. Thread-safe:
 * the event loop creates it, the file's writer reads it.
 */
public final class FlxRoles
{
    private final Rules rules;
    private final RuleContext context;
    private final ConcurrentHashMap<String, Role> roles = new ConcurrentHashMap<>();

    private FlxRoles(final Rules rules, final RuleContext context)
    {
        this.rules = rules;
        this.context = context;
    }

    /**
     * @param rules the app's rules.
     * @param user  the session's user.
     * @return the session's roles, or null when the app has no roles (nothing enforced: the class-only fast path).
     */
    public static FlxRoles of(final Rules rules, final UserContext user)
    {
        return null == rules || !rules.hasRoles() ? null : new FlxRoles(rules, rules.context(user));
    }

    /** @return the session's role for {@code className} ({@link Role#NO_ACCESS} when no role applies). */
    public Role role(final String className)
    {
        final Role known = roles.get(className);
        if (null != known)
        {
            return known;
        }
        Role bound;
        try
        {
            bound = rules.roleFor(className, context);
        }
        catch (final RuntimeException bug)
        {
            // rules are checked at start, so this is a bug: fail closed
            bound = Role.NO_ACCESS;
        }
        final Role raced = roles.putIfAbsent(className, bound);
        return null == raced ? bound : raced;
    }

    /** @return the objects of {@code className} the session may see (write implies read). */
    public DocumentFilter view(final String className)
    {
        return role(className).view();
    }

    /**
     * Whether a session's view differs between two sets of roles: some class of {@code classes} has a different read
     * filter (a class that gained or lost read included).
     *
     * @param before  the roles the view was compiled with, or null (no rules: everything readable).
     * @param after   the new roles, or null.
     * @param classes the session's subscribed classes.
     * @return true if the view of some class differs.
     */
    public static boolean viewsDiffer(final FlxRoles before, final FlxRoles after, final java.util.Set<String> classes)
    {
        for (final String cls : classes)
        {
            final DocumentFilter was = null == before ? Rules.FULL_ACCESS.view() : before.view(cls);
            final DocumentFilter is = null == after ? Rules.FULL_ACCESS.view() : after.view(cls);
            if (!was.equals(is))
            {
                return true;
            }
        }
        return false;
    }
}
