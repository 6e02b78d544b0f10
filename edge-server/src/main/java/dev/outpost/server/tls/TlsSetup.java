package dev.outpost.server.tls;

import dev.outpost.server.config.ConfigException;
import dev.outpost.server.config.ServerConfig;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.net.PemKeyCertOptions;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * TLS on the server's port: HTTPS and WSS share it, like HTTP and WS without TLS. The certificate chain and key
 * are PEM files ({@link ServerConfig#tlsCertFile()}, {@link ServerConfig#tlsKeyFile()}) or, for development, a
 * self-signed certificate generated once with the JDK's {@code keytool} and kept in {@code <data-dir>/tls/}. Only
 * the versions of {@link ServerConfig#tlsProtocols()} are enabled (TLS 1.3 alone by default).
 */
public final class TlsSetup
{
    /** Directory under the data directory holding the self-signed certificate. */
    public static final String TLS_DIR = "tls";
    /** The self-signed certificate (PEM): give it to clients that must trust the server. */
    public static final String SELF_SIGNED_CERT = "self-signed-cert.pem";
    /** Its private key (PKCS#8 PEM, owner-only). */
    public static final String SELF_SIGNED_KEY = "self-signed-key.pem";

    private static final System.Logger LOG = System.getLogger(TlsSetup.class.getName());

    private TlsSetup()
    {
    }

    /**
     * Turn TLS on in {@code options} if the configuration asks for it.
     *
     * @param options server options to change.
     * @param config  concluded configuration.
     * @return the options.
     * @throws ConfigException if the certificate or key cannot be used, or a self-signed one cannot be made.
     */
    public static HttpServerOptions configure(final HttpServerOptions options, final ServerConfig config)
    {
        if (!config.tlsEnabled())
        {
            return options;
        }
        final Path cert;
        final Path key;
        if (config.tlsSelfSigned())
        {
            final Path[] generated = ensureSelfSigned(config.dataDir().resolve(TLS_DIR), config.host());
            cert = generated[0];
            key = generated[1];
        }
        else
        {
            cert = config.tlsCertFile();
            key = config.tlsKeyFile();
            check(cert, ServerConfig.TLS_CERT_PROP, "-----BEGIN CERTIFICATE-----");
            check(key, ServerConfig.TLS_KEY_PROP, "PRIVATE KEY-----");
        }
        options.setSsl(true)
            .setKeyCertOptions(new PemKeyCertOptions().setCertPath(cert.toString()).setKeyPath(key.toString()))
            .setEnabledSecureTransportProtocols(new LinkedHashSet<>(config.tlsProtocols()))
            .setUseAlpn(false);
        return options;
    }

    /**
     * @param config a concluded configuration with {@link ServerConfig#tlsSelfSigned()}.
     * @return where the self-signed certificate is (or will be) kept.
     */
    public static Path selfSignedCertificate(final ServerConfig config)
    {
        return config.dataDir().resolve(TLS_DIR).resolve(SELF_SIGNED_CERT);
    }

    /**
     * Make a self-signed certificate in {@code dir} unless a valid one is there: EC P-256, valid 825 days, for
     * {@code localhost}, {@code 127.0.0.1}, this machine's name and {@code host}.
     *
     * @param dir  directory to keep it in.
     * @param host the bind host, added to the names unless it is a wildcard address.
     * @return the certificate and key PEM files.
     * @throws ConfigException naming {@code outpost.tls.self.signed} if it cannot be made.
     */
    public static Path[] ensureSelfSigned(final Path dir, final String host)
    {
        final Path cert = dir.resolve(SELF_SIGNED_CERT);
        final Path key = dir.resolve(SELF_SIGNED_KEY);
        try
        {
            if (Files.isRegularFile(cert) && Files.isRegularFile(key) && stillValid(cert))
            {
                return new Path[] {cert, key};
            }
            Files.createDirectories(dir);
            final Path keystore = dir.resolve("self-signed.p12.tmp");
            Files.deleteIfExists(keystore);
            final byte[] pw = new byte[18];
            new SecureRandom().nextBytes(pw);
            final String password = HexFormat.of().formatHex(pw);
            final Set<String> names = new LinkedHashSet<>(List.of("dns:localhost", "ip:127.0.0.1"));
            try
            {
                names.add("dns:" + InetAddress.getLocalHost().getHostName());
            }
            catch (final IOException ignore)
            {
                // no resolvable machine name: localhost only
            }
            if (null != host && !host.isBlank() && !"0.0.0.0".equals(host) && !"::".equals(host) &&
                !host.contains(":"))
            {
                names.add((host.matches("[0-9.]+") ? "ip:" : "dns:") + host);
            }
            final Path keytool = Path.of(System.getProperty("java.home"), "bin", "keytool");
            final List<String> command = new ArrayList<>(List.of(keytool.toString(), "-genkeypair", "-alias",
                "outpost", "-keyalg", "EC", "-groupname", "secp256r1", "-sigalg", "SHA256withECDSA", "-validity",
                "825", "-dname", "CN=Outpost self-signed", "-ext", "SAN=" + String.join(",", names), "-keystore",
                keystore.toString(), "-storetype", "PKCS12", "-storepass", password, "-keypass", password,
                "-noprompt"));
            final Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
            final String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!process.waitFor(60, TimeUnit.SECONDS) || process.exitValue() != 0)
            {
                process.destroyForcibly();
                throw new IOException("keytool failed: " + output.trim());
            }
            final KeyStore ks = KeyStore.getInstance("PKCS12");
            try (InputStream in = Files.newInputStream(keystore))
            {
                ks.load(in, password.toCharArray());
            }
            final PrivateKey privateKey = (PrivateKey)ks.getKey("outpost", password.toCharArray());
            final X509Certificate certificate = (X509Certificate)ks.getCertificate("outpost");
            writeAtomically(key, pem("PRIVATE KEY", privateKey.getEncoded()), true);
            writeAtomically(cert, pem("CERTIFICATE", certificate.getEncoded()), false);
            Files.deleteIfExists(keystore);
            LOG.log(System.Logger.Level.INFO, "generated a self-signed TLS certificate for " + names + ": " + cert +
                " (development only: clients must be told to trust this file)");
            return new Path[] {cert, key};
        }
        catch (final Exception ex)
        {
            if (ex instanceof InterruptedException)
            {
                Thread.currentThread().interrupt();
            }
            throw new ConfigException(ServerConfig.TLS_SELF_SIGNED_PROP, "cannot make a self-signed certificate in " +
                dir + ": " + ex.getMessage());
        }
    }

    private static boolean stillValid(final Path cert)
    {
        try (InputStream in = Files.newInputStream(cert))
        {
            final X509Certificate c = (X509Certificate)java.security.cert.CertificateFactory.getInstance("X.509")
                .generateCertificate(in);
            c.checkValidity(new java.util.Date(System.currentTimeMillis() + TimeUnit.DAYS.toMillis(1)));
            return true;
        }
        catch (final Exception ex)
        {
            return false;
        }
    }

    private static void check(final Path file, final String setting, final String marker)
    {
        try
        {
            final String text = Files.readString(file, StandardCharsets.US_ASCII);
            if (!text.contains(marker))
            {
                throw new ConfigException(setting, "'" + file + "' is not a PEM file with '" + marker + "'");
            }
        }
        catch (final IOException | java.io.UncheckedIOException ex)
        {
            throw new ConfigException(setting, "cannot read '" + file + "': " + ex.getMessage());
        }
    }

    private static String pem(final String type, final byte[] der)
    {
        return "-----BEGIN " + type + "-----\n" +
            Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(der) + "\n-----END " + type + "-----\n";
    }

    private static void writeAtomically(final Path file, final String text, final boolean secret) throws IOException
    {
        final Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        Files.deleteIfExists(tmp);
        if (secret)
        {
            try
            {
                Files.createFile(tmp, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            }
            catch (final UnsupportedOperationException ex)
            {
                Files.createFile(tmp);
            }
        }
        Files.writeString(tmp, text, StandardCharsets.US_ASCII);
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }
}
