package io.jigsaw.job.cluster;

import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Mutual TLS for a cluster's REST API and dashboard (Flink's {@code security.ssl.rest.*}): the server
 * asks every client for a certificate it trusts, so only holders of this cluster's key get in. The key
 * pair (self-signed, for 127.0.0.1) and the trust store are made on first use in {@code dir} by the JDK's
 * keytool, with a random password in a file only its owner can read; the same key serves the server and
 * its clients (Jigsaw's CLI; a browser after importing {@code rest.p12}).
 */
public final class RestTls {

    static final String KEYSTORE = "rest.p12";
    static final String TRUSTSTORE = "rest-trust.p12";
    static final String PASSWORD = "rest.password";

    private final Path dir;

    private RestTls(Path dir) {
        this.dir = dir;
    }

    /** The key material in {@code dir}, made there first if it is not. */
    public static RestTls ensure(Path dir) throws IOException, InterruptedException {
        RestTls tls = new RestTls(dir);
        if (!Files.isRegularFile(dir.resolve(KEYSTORE)) || !Files.isRegularFile(dir.resolve(TRUSTSTORE))
                || !Files.isRegularFile(dir.resolve(PASSWORD))) {
            tls.generate();
        }
        return tls;
    }

    /** The key material a cluster was started with, if it was started with TLS. */
    public static java.util.Optional<RestTls> existing(Path dir) {
        return Files.isRegularFile(dir.resolve(KEYSTORE)) ? java.util.Optional.of(new RestTls(dir)) : java.util.Optional.empty();
    }

    public Path dir() {
        return dir;
    }

    /** Flink's options for it; they hold the password, so they belong in a file only its owner reads, never on a command line. */
    public Map<String, String> flinkOptions() throws IOException {
        String password = password();
        Map<String, String> o = new LinkedHashMap<>();
        o.put("security.ssl.rest.enabled", "true");
        o.put("security.ssl.rest.authentication-enabled", "true");
        o.put("security.ssl.rest.keystore", dir.resolve(KEYSTORE).toString());
        o.put("security.ssl.rest.keystore-password", password);
        o.put("security.ssl.rest.key-password", password);
        o.put("security.ssl.rest.keystore-type", "PKCS12");
        o.put("security.ssl.rest.truststore", dir.resolve(TRUSTSTORE).toString());
        o.put("security.ssl.rest.truststore-password", password);
        o.put("security.ssl.rest.truststore-type", "PKCS12");
        return o;
    }

    /** What a client presents and trusts: this cluster's key and certificate. */
    public SSLContext clientContext() throws IOException {
        try {
            char[] password = password().toCharArray();
            KeyManagerFactory keys = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            keys.init(load(dir.resolve(KEYSTORE), password), password);
            TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            trust.init(load(dir.resolve(TRUSTSTORE), password));
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(keys.getKeyManagers(), trust.getTrustManagers(), new SecureRandom());
            return context;
        } catch (GeneralSecurityException e) {
            throw new IOException("the REST key material in " + dir + " cannot be used: " + e.getMessage(), e);
        }
    }

    /** Trusts this cluster's certificate but presents none: what a stranger who knows the address has. */
    public SSLContext trustOnlyContext() throws IOException {
        try {
            TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            trust.init(load(dir.resolve(TRUSTSTORE), password().toCharArray()));
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(null, trust.getTrustManagers(), new SecureRandom());
            return context;
        } catch (GeneralSecurityException e) {
            throw new IOException("the REST trust store in " + dir + " cannot be used: " + e.getMessage(), e);
        }
    }

    private static KeyStore load(Path file, char[] password) throws IOException, GeneralSecurityException {
        KeyStore store = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(file)) {
            store.load(in, password);
        }
        return store;
    }

    private String password() throws IOException {
        return Files.readString(dir.resolve(PASSWORD), StandardCharsets.UTF_8).trim();
    }

    private void generate() throws IOException, InterruptedException {
        Files.createDirectories(dir);
        ownerOnly(dir, "rwx------");
        byte[] random = new byte[24];
        new SecureRandom().nextBytes(random);
        String password = Base64.getUrlEncoder().withoutPadding().encodeToString(random);
        Path passwordFile = dir.resolve(PASSWORD);
        Files.writeString(passwordFile, password + "\n", StandardCharsets.UTF_8);
        ownerOnly(passwordFile, "rw-------");
        for (String name : List.of(KEYSTORE, TRUSTSTORE, "rest.crt")) {
            Files.deleteIfExists(dir.resolve(name));
        }
        // keytool reads the password from an environment variable (":env"), never from its command line.
        keytool(password, "-genkeypair", "-alias", "rest", "-keyalg", "RSA", "-keysize", "2048", "-validity", "3650",
                "-dname", "CN=127.0.0.1, O=Jigsaw local cluster", "-ext", "SAN=IP:127.0.0.1,DNS:localhost",
                "-storetype", "PKCS12", "-keystore", dir.resolve(KEYSTORE).toString());
        keytool(password, "-exportcert", "-rfc", "-alias", "rest", "-keystore", dir.resolve(KEYSTORE).toString(),
                "-file", dir.resolve("rest.crt").toString());
        keytool(password, "-importcert", "-noprompt", "-alias", "rest", "-file", dir.resolve("rest.crt").toString(),
                "-storetype", "PKCS12", "-keystore", dir.resolve(TRUSTSTORE).toString());
        for (String name : List.of(KEYSTORE, TRUSTSTORE)) {
            ownerOnly(dir.resolve(name), "rw-------");
        }
    }

    private void keytool(String password, String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "keytool").toString());
        cmd.addAll(List.of(args));
        cmd.addAll(List.of("-storepass:env", "JIGSAW_REST_PASSWORD"));
        if (args[0].equals("-genkeypair")) {
            cmd.addAll(List.of("-keypass:env", "JIGSAW_REST_PASSWORD"));
        }
        Path log = dir.resolve("keytool.log");
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
        pb.environment().put("JIGSAW_REST_PASSWORD", password);
        Process p = pb.start();
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IOException("keytool " + args[0] + " did not finish within 60 s; see " + log);
        }
        if (p.exitValue() != 0) {
            throw new IOException("keytool " + args[0] + " failed (exit " + p.exitValue() + "); see " + log);
        }
    }

    private static void ownerOnly(Path p, String permissions) throws IOException {
        try {
            Files.setPosixFilePermissions(p, PosixFilePermissions.fromString(permissions));
        } catch (UnsupportedOperationException notPosix) {
            // A file system without POSIX permissions: the directory's own protection applies.
        }
    }
}
