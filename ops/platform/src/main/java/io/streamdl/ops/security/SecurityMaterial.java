package io.streamdl.ops.security;

import io.streamdl.ops.platform.PlatformException;
import io.streamdl.schemas.security.KafkaClientSecurity;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * The TLS certificates and SCRAM passwords of a secured platform, kept in one folder ({@code
 * <data.dir>/security}) and made there at first start: a CA, the broker's key pair signed by it
 * (PKCS12 {@code broker.p12}, for {@code 127.0.0.1}, {@code localhost} and the configured host), a
 * trust store holding the CA ({@code truststore.p12}), and {@code credentials.properties}: one
 * random password per {@link Principal}, the stores' password and the HTTP endpoints' password
 * (user {@value #HTTP_USER}), readable by the owner only. Later starts reuse what is there, so
 * clients keep trusting the broker and knowing their passwords. The certificates are made by the
 * running JDK's {@code keytool}.
 */
public final class SecurityMaterial {
    public static final String CREDENTIALS = "credentials.properties";
    public static final String KEYSTORE = "broker.p12";
    public static final String TRUSTSTORE = "truststore.p12";
    private static final String STORE_PASSWORD = "store.password";
    private static final String HTTP_PASSWORD = "http.password";

    /** The user of the HTTP endpoints' basic authentication. */
    public static final String HTTP_USER = "streamdl";

    private static final Set<PosixFilePermission> OWNER_ONLY =
            PosixFilePermissions.fromString("rw-------");

    private final Path dir;
    private final String storePassword;
    private final Map<Principal, String> passwords;
    private final String httpPassword;

    private SecurityMaterial(
            Path dir, String storePassword, Map<Principal, String> passwords, String httpPassword) {
        this.httpPassword = httpPassword;
        this.dir = dir;
        this.storePassword = storePassword;
        this.passwords = passwords;
    }

    /**
     * The material in {@code dir}, made there first if it is missing.
     *
     * @param host the address the broker listens on, named in its certificate
     */
    public static SecurityMaterial prepare(Path dir, String host) {
        try {
            Files.createDirectories(dir);
            if (!Files.exists(dir.resolve(CREDENTIALS))) {
                writeCredentials(dir);
            }
            SecurityMaterial material = read(dir);
            if (!Files.exists(dir.resolve(KEYSTORE)) || !Files.exists(dir.resolve(TRUSTSTORE))) {
                material.makeCertificates(host);
            }
            return material;
        } catch (IOException e) {
            throw new PlatformException(
                    "cannot prepare the security material in " + dir + ": " + e.getMessage(), e);
        }
    }

    /** The material already made in {@code dir} (by a platform's first start), as a client. */
    public static SecurityMaterial existing(Path dir) {
        if (!Files.exists(dir.resolve(CREDENTIALS)) || !Files.exists(dir.resolve(TRUSTSTORE))) {
            throw new PlatformException(
                    "kafka.security=sasl_ssl but "
                            + dir
                            + " holds no credentials and trust store; start the platform once"
                            + " with the same data.dir to make them");
        }
        try {
            return read(dir);
        } catch (IOException e) {
            throw new PlatformException("cannot read " + dir.resolve(CREDENTIALS) + ": " + e, e);
        }
    }

    private static void writeCredentials(Path dir) throws IOException {
        Properties p = new Properties();
        p.setProperty(STORE_PASSWORD, randomPassword());
        p.setProperty(HTTP_PASSWORD, randomPassword());
        for (Principal principal : Principal.values()) {
            p.setProperty(principal.user() + ".password", randomPassword());
        }
        Path file = dir.resolve(CREDENTIALS);
        Path tmp = dir.resolve(CREDENTIALS + ".tmp");
        Files.deleteIfExists(tmp);
        Files.createFile(tmp, PosixFilePermissions.asFileAttribute(OWNER_ONLY));
        try (OutputStream out = Files.newOutputStream(tmp, StandardOpenOption.WRITE)) {
            p.store(out, "SCRAM-SHA-512 passwords of the pipeline's principals; keep private");
        }
        Files.move(tmp, file, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
    }

    private static SecurityMaterial read(Path dir) throws IOException {
        Properties p = new Properties();
        try (InputStream in = Files.newInputStream(dir.resolve(CREDENTIALS))) {
            p.load(in);
        }
        Map<Principal, String> passwords = new EnumMap<>(Principal.class);
        for (Principal principal : Principal.values()) {
            String password = p.getProperty(principal.user() + ".password");
            if (password == null || password.isBlank()) {
                throw new PlatformException(
                        dir.resolve(CREDENTIALS) + " has no password for " + principal.user());
            }
            passwords.put(principal, password);
        }
        return new SecurityMaterial(
                dir,
                p.getProperty(STORE_PASSWORD, ""),
                passwords,
                p.getProperty(HTTP_PASSWORD, ""));
    }

    /** 32 characters of [A-Za-z0-9] from a strong generator: about 190 bits. */
    static String randomPassword() {
        String alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
        SecureRandom random = new SecureRandom();
        StringBuilder s = new StringBuilder(32);
        for (int i = 0; i < 32; i++) {
            s.append(alphabet.charAt(random.nextInt(alphabet.length())));
        }
        return s.toString();
    }

    private void makeCertificates(String host) throws IOException {
        Path ca = dir.resolve("ca.p12");
        Path csr = dir.resolve("broker.csr");
        Path signed = dir.resolve("broker.crt");
        Path caCert = dir.resolve("ca.crt");
        for (Path p : List.of(ca, csr, signed, caCert, keystore(), truststore())) {
            Files.deleteIfExists(p);
        }
        String san = "san=ip:127.0.0.1,dns:localhost" + (sanEntry(host));
        keytool(
                "-genkeypair",
                "-alias",
                "ca",
                "-keyalg",
                "RSA",
                "-keysize",
                "2048",
                "-dname",
                "CN=streamdl local CA",
                "-ext",
                "bc:c",
                "-validity",
                "3650",
                "-keystore",
                ca.toString());
        keytool(
                "-genkeypair",
                "-alias",
                "broker",
                "-keyalg",
                "RSA",
                "-keysize",
                "2048",
                "-dname",
                "CN=streamdl-broker",
                "-validity",
                "3650",
                "-keystore",
                keystore().toString());
        keytool(
                "-certreq",
                "-alias",
                "broker",
                "-keystore",
                keystore().toString(),
                "-file",
                csr.toString());
        keytool(
                "-gencert",
                "-alias",
                "ca",
                "-keystore",
                ca.toString(),
                "-infile",
                csr.toString(),
                "-outfile",
                signed.toString(),
                "-ext",
                san,
                "-validity",
                "3650",
                "-rfc");
        keytool(
                "-exportcert",
                "-alias",
                "ca",
                "-keystore",
                ca.toString(),
                "-file",
                caCert.toString(),
                "-rfc");
        keytool(
                "-importcert",
                "-noprompt",
                "-alias",
                "ca",
                "-file",
                caCert.toString(),
                "-keystore",
                keystore().toString());
        keytool(
                "-importcert",
                "-alias",
                "broker",
                "-file",
                signed.toString(),
                "-keystore",
                keystore().toString());
        keytool(
                "-importcert",
                "-noprompt",
                "-alias",
                "ca",
                "-file",
                caCert.toString(),
                "-keystore",
                truststore().toString());
        Files.delete(csr);
        for (Path p : List.of(ca, keystore(), truststore(), signed, caCert)) {
            Files.setPosixFilePermissions(p, OWNER_ONLY);
        }
    }

    private static String sanEntry(String host) {
        if (host.equals("127.0.0.1") || host.equals("localhost") || host.isBlank()) {
            return "";
        }
        return host.matches("[0-9.]+|[0-9a-fA-F:]+") ? ",ip:" + host : ",dns:" + host;
    }

    private void keytool(String... args) throws IOException {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "keytool").toString());
        command.addAll(List.of(args));
        command.addAll(
                List.of(
                        "-storetype",
                        "PKCS12",
                        "-storepass",
                        storePassword,
                        "-keypass",
                        storePassword));
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        byte[] output;
        try (InputStream in = process.getInputStream()) {
            output = in.readAllBytes();
        }
        try {
            if (!process.waitFor(60, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new IOException("keytool " + args[0] + " did not finish within 60 s");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
            throw new IOException("interrupted running keytool " + args[0], e);
        }
        if (process.exitValue() != 0) {
            throw new IOException(
                    "keytool "
                            + args[0]
                            + " failed: "
                            + new String(output, StandardCharsets.UTF_8).strip());
        }
    }

    public Path dir() {
        return dir;
    }

    public Path keystore() {
        return dir.resolve(KEYSTORE);
    }

    public Path truststore() {
        return dir.resolve(TRUSTSTORE);
    }

    /** A client's TLS context that trusts this material's CA (for the HTTPS endpoints). */
    public javax.net.ssl.SSLContext clientTls() {
        try (InputStream in = Files.newInputStream(truststore())) {
            java.security.KeyStore trust = java.security.KeyStore.getInstance("PKCS12");
            trust.load(in, storePassword.toCharArray());
            javax.net.ssl.TrustManagerFactory tmf =
                    javax.net.ssl.TrustManagerFactory.getInstance(
                            javax.net.ssl.TrustManagerFactory.getDefaultAlgorithm());
            tmf.init(trust);
            javax.net.ssl.SSLContext tls = javax.net.ssl.SSLContext.getInstance("TLS");
            tls.init(null, tmf.getTrustManagers(), null);
            return tls;
        } catch (IOException | java.security.GeneralSecurityException e) {
            throw new PlatformException(
                    "cannot load the trust store " + truststore() + ": " + e.getMessage(), e);
        }
    }

    /** The password of both PKCS12 stores and of the broker's key. */
    public String storePassword() {
        return storePassword;
    }

    /** The password of {@link #HTTP_USER} on the HTTP endpoints. */
    public String httpPassword() {
        return httpPassword;
    }

    public String password(Principal principal) {
        return passwords.get(principal);
    }

    /** How {@code principal} reaches the broker: SCRAM-SHA-512 over TLS as its own user. */
    public KafkaClientSecurity client(Principal principal) {
        return KafkaClientSecurity.scram(
                principal.user(),
                password(principal),
                truststore().toAbsolutePath().toString(),
                storePassword);
    }
}
