package dev.outpost.ot.query;

import java.math.BigDecimal;

/**
 * Value comparisons with realm-core's query semantics, allocation-free except for Decimal128 values.
 * Case-insensitive variants fold ASCII letters only, as realm-core's {@code case_map} does
 * outside Windows. Strings order by code point (realm compares UTF-8 bytes, which is the same order). The numeric
 * and string orders are shared with the rules package's MongoDB filters.
 */
public final class Compare
{
    /** Returned by a comparison of values of kinds that do not compare (Mixed holding a string vs a number, ...). */
    static final int INCOMPARABLE = Integer.MIN_VALUE;

    private static final double TWO_POW_63 = 9.223372036854775808E18;

    private Compare()
    {
    }

    /** Doubles as realm's Mixed compares them: -0 equals 0, NaN equals NaN and sorts below every number. */
    public static int doubles(final double a, final double b)
    {
        if (a < b)
        {
            return -1;
        }
        if (a > b)
        {
            return 1;
        }
        if (a == b)
        {
            return 0;
        }
        final boolean aNan = Double.isNaN(a);
        final boolean bNan = Double.isNaN(b);
        return aNan && bNan ? 0 : aNan ? -1 : 1;
    }

    /** Exact comparison of a long with a double (NaN below everything). */
    public static int longDouble(final long a, final double b)
    {
        if (Double.isNaN(b))
        {
            return 1;
        }
        if (b >= TWO_POW_63)
        {
            return -1;
        }
        if (b < -TWO_POW_63)
        {
            return 1;
        }
        final long t = (long)b;
        if (a != t)
        {
            return a < t ? -1 : 1;
        }
        final double frac = b - t;
        return frac > 0 ? -1 : frac < 0 ? 1 : 0;
    }

    /** Exact comparison of a decimal with a double (NaN below everything). */
    public static int decimalDouble(final BigDecimal a, final double b)
    {
        if (Double.isNaN(b))
        {
            return 1;
        }
        if (Double.isInfinite(b))
        {
            return b > 0 ? -1 : 1;
        }
        return Integer.signum(a.compareTo(new BigDecimal(b)));
    }

    /** Strings in code point order. */
    public static int strings(final String a, final String b)
    {
        final int n = Math.min(a.length(), b.length());
        for (int i = 0; i < n; i++)
        {
            char x = a.charAt(i);
            char y = b.charAt(i);
            if (x != y)
            {
                if (x >= 0xD800 && y >= 0xD800)
                {
                    // Surrogates encode code points above every BMP char: move them above U+E000..U+FFFF.
                    x = (char)(x >= 0xE000 ? x - 0x800 : x + 0x2000);
                    y = (char)(y >= 0xE000 ? y - 0x800 : y + 0x2000);
                }
                return x < y ? -1 : 1;
            }
        }
        return Integer.compare(a.length(), b.length());
    }

    /** Unsigned lexicographic byte order. */
    static int bytes(final byte[] a, final byte[] b)
    {
        final int n = Math.min(a.length, b.length);
        for (int i = 0; i < n; i++)
        {
            if (a[i] != b[i])
            {
                return (a[i] & 0xff) < (b[i] & 0xff) ? -1 : 1;
            }
        }
        return Integer.compare(a.length, b.length);
    }

    static int fold(final int c)
    {
        return c >= 'A' && c <= 'Z' ? c + 32 : c;
    }

    private static boolean charsMatch(final int a, final int b, final boolean ignoreCase)
    {
        return a == b || (ignoreCase && fold(a) == fold(b));
    }

    // ------------------------------------------------------------------------------------------------ strings

    static boolean equals(final String s, final String p, final boolean ignoreCase)
    {
        return s.length() == p.length() && regionMatches(s, 0, p, ignoreCase);
    }

    private static boolean regionMatches(final String s, final int from, final String p, final boolean ignoreCase)
    {
        for (int i = 0; i < p.length(); i++)
        {
            if (!charsMatch(s.charAt(from + i), p.charAt(i), ignoreCase))
            {
                return false;
            }
        }
        return true;
    }

    static boolean beginsWith(final String s, final String p, final boolean ignoreCase)
    {
        return s.length() >= p.length() && regionMatches(s, 0, p, ignoreCase);
    }

    static boolean endsWith(final String s, final String p, final boolean ignoreCase)
    {
        return s.length() >= p.length() && regionMatches(s, s.length() - p.length(), p, ignoreCase);
    }

    static boolean contains(final String s, final String p, final boolean ignoreCase)
    {
        for (int i = 0; i + p.length() <= s.length(); i++)
        {
            if (regionMatches(s, i, p, ignoreCase))
            {
                return true;
            }
        }
        return false;
    }

    /** Realm's LIKE: {@code *} any run of characters, {@code ?} exactly one character (code point). */
    static boolean like(final String s, final String p, final boolean ignoreCase)
    {
        int si = 0;
        int pi = 0;
        int starP = -1;
        int starS = -1;
        while (si < s.length())
        {
            if (pi < p.length())
            {
                final int pc = p.codePointAt(pi);
                if (pc == '*')
                {
                    starP = pi;
                    starS = si;
                    pi++;
                    continue;
                }
                final int sc = s.codePointAt(si);
                if (pc == '?' || charsMatch(sc, pc, ignoreCase))
                {
                    si += Character.charCount(sc);
                    pi += Character.charCount(pc);
                    continue;
                }
            }
            if (starP < 0)
            {
                return false;
            }
            // Let the last star swallow one more character and retry: O(|s|*|p|) at worst, no recursion.
            pi = starP + 1;
            starS += Character.charCount(s.codePointAt(starS));
            si = starS;
        }
        while (pi < p.length() && p.charAt(pi) == '*')
        {
            pi++;
        }
        return pi == p.length();
    }

    // ------------------------------------------------------------------------------------------------- binary

    static boolean equals(final byte[] s, final byte[] p, final boolean ignoreCase)
    {
        return s.length == p.length && regionMatches(s, 0, p, ignoreCase);
    }

    private static boolean regionMatches(final byte[] s, final int from, final byte[] p, final boolean ignoreCase)
    {
        for (int i = 0; i < p.length; i++)
        {
            if (!charsMatch(s[from + i] & 0xff, p[i] & 0xff, ignoreCase))
            {
                return false;
            }
        }
        return true;
    }

    static boolean beginsWith(final byte[] s, final byte[] p, final boolean ignoreCase)
    {
        return s.length >= p.length && regionMatches(s, 0, p, ignoreCase);
    }

    static boolean endsWith(final byte[] s, final byte[] p, final boolean ignoreCase)
    {
        return s.length >= p.length && regionMatches(s, s.length - p.length, p, ignoreCase);
    }

    static boolean contains(final byte[] s, final byte[] p, final boolean ignoreCase)
    {
        for (int i = 0; i + p.length <= s.length; i++)
        {
            if (regionMatches(s, i, p, ignoreCase))
            {
                return true;
            }
        }
        return false;
    }

    /** LIKE over bytes: {@code ?} is one byte. */
    static boolean like(final byte[] s, final byte[] p, final boolean ignoreCase)
    {
        int si = 0;
        int pi = 0;
        int starP = -1;
        int starS = -1;
        while (si < s.length)
        {
            if (pi < p.length)
            {
                final int pc = p[pi] & 0xff;
                if (pc == '*')
                {
                    starP = pi++;
                    starS = si;
                    continue;
                }
                if (pc == '?' || charsMatch(s[si] & 0xff, pc, ignoreCase))
                {
                    si++;
                    pi++;
                    continue;
                }
            }
            if (starP < 0)
            {
                return false;
            }
            pi = starP + 1;
            si = ++starS;
        }
        while (pi < p.length && p[pi] == '*')
        {
            pi++;
        }
        return pi == p.length;
    }
}
