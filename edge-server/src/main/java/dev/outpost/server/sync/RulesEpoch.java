package dev.outpost.server.sync;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Properties;

/**
 * When the app's permission rules in force took effect, kept in {@code <app data dir>/rules-epoch.properties} so
 * that it survives restarts: the rules' {@link dev.outpost.ot.rules.Rules#fingerprint() fingerprint} and the FLX
 * server version of the (empty) server entry appended when they changed. An FLX client whose download cursor is
 * below that version synced under other rules and gets a bootstrap of its view at its next IDENT. The file is
 * additive: builds without it never read it; a data directory without it is taken as "the rules have not changed".
 *
 * @param fingerprint the rules' fingerprint.
 * @param version     the FLX server version at which they took effect (0: before any FLX history).
 * @param since       when (epoch milliseconds).
 */
record RulesEpoch(String fingerprint, long version, long since)
{
    /** The file's name in the app's data directory. */
    static final String FILE = "rules-epoch.properties";

    /**
     * @param dataDir the app's data directory.
     * @return the stored epoch, or null if there is none or it cannot be read (then the rules count as unchanged).
     */
    static RulesEpoch read(final Path dataDir)
    {
        final Path file = dataDir.resolve(FILE);
        if (!Files.isRegularFile(file))
        {
            return null;
        }
        final Properties p = new Properties();
        try (InputStream in = Files.newInputStream(file))
        {
            p.load(in);
            final String fingerprint = p.getProperty("fingerprint");
            if (null == fingerprint)
            {
                return null;
            }
            return new RulesEpoch(fingerprint.trim(), Long.parseLong(p.getProperty("version", "0").trim()),
                Long.parseLong(p.getProperty("since", "0").trim()));
        }
        catch (final IOException | RuntimeException ex)
        {
            System.getLogger(RulesEpoch.class.getName()).log(System.Logger.Level.WARNING, "cannot read " + file +
                " (" + ex.getMessage() + "): the permission rules are taken as unchanged since the last start");
            return null;
        }
    }

    /**
     * Write this epoch atomically (a temporary file moved over the old one).
     *
     * @param dataDir the app's data directory.
     * @throws IOException if it cannot be written.
     */
    void write(final Path dataDir) throws IOException
    {
        final Properties p = new Properties();
        p.setProperty("fingerprint", fingerprint);
        p.setProperty("version", Long.toString(version));
        p.setProperty("since", Long.toString(since));
        final Path tmp = dataDir.resolve(FILE + ".tmp");
        try (OutputStream out = Files.newOutputStream(tmp))
        {
            p.store(out, "Outpost: when the permission rules in force took effect (see STORE.md)");
        }
        Files.move(tmp, dataDir.resolve(FILE), StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }
}
