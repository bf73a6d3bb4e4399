package io.stillpoint.server.pgwire;

import java.nio.file.Path;
import java.util.List;
import java.util.Objects;

/**
 * Settings of the PostgreSQL wire server.
 *
 * @param host               address to bind (e.g. {@code 0.0.0.0} or {@code 127.0.0.1})
 * @param port               TCP port; 0 picks an ephemeral one ({@link PgServer#boundAddress()} tells which)
 * @param maxFrameLength     the largest message body accepted; a longer frame is a protocol violation (08P01)
 * @param authMethod         how passwords are checked
 * @param users              the accounts that may log in
 * @param tlsCert            PEM certificate chain for TLS, or null: SSLRequest is then answered 'N'
 * @param tlsKey             PEM private key (PKCS#8) of that certificate, or null
 * @param tlsRequired        refuse (28000) a StartupMessage that did not come over TLS
 * @param maxConnections     sessions at once; the next one gets FATAL 53300
 * @param idleSessionMillis  close a session idle outside a transaction this long (FATAL 57P05); 0: never
 */
public record PgServerConfig(String host, int port, int maxFrameLength, AuthMethod authMethod, List<UserAccount> users,
                             Path tlsCert, Path tlsKey, boolean tlsRequired, int maxConnections,
                             long idleSessionMillis) {

    /** 64 MiB: large enough for a multi-thousand-row rewritten batch insert, small enough to bound memory. */
    public static final int DEFAULT_MAX_FRAME_LENGTH = 64 * 1024 * 1024;
    /** As PostgreSQL's max_connections. */
    public static final int DEFAULT_MAX_CONNECTIONS = 100;

    public PgServerConfig {
        Objects.requireNonNull(host, "host");
        Objects.requireNonNull(authMethod, "authMethod");
        users = List.copyOf(users);
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("port out of range [port=" + port + "]");
        }
        if (maxFrameLength < 1024) {
            throw new IllegalArgumentException("max frame length too small [maxFrameLength=" + maxFrameLength + ", min=1024]");
        }
        if ((tlsCert == null) != (tlsKey == null)) {
            throw new IllegalArgumentException("tls needs both a certificate and a key [cert=" + tlsCert + ", key=" + tlsKey + "]");
        }
        if (tlsRequired && tlsCert == null) {
            throw new IllegalArgumentException("tls required but no certificate configured");
        }
        if (maxConnections < 1) {
            throw new IllegalArgumentException("max connections too small [maxConnections=" + maxConnections + ", min=1]");
        }
        if (idleSessionMillis < 0) {
            throw new IllegalArgumentException("negative idle session timeout [idleSessionMillis=" + idleSessionMillis + "]");
        }
    }

    /** Without TLS, with the default connection limit and no idle timeout. */
    public PgServerConfig(String host, int port, int maxFrameLength, AuthMethod authMethod, List<UserAccount> users) {
        this(host, port, maxFrameLength, authMethod, users, null, null, false, DEFAULT_MAX_CONNECTIONS, 0);
    }

    /** SCRAM-SHA-256 and a 64 MiB frame limit. */
    public static PgServerConfig defaults(String host, int port, List<UserAccount> users) {
        return new PgServerConfig(host, port, DEFAULT_MAX_FRAME_LENGTH, AuthMethod.SCRAM_SHA_256, users);
    }

    boolean tlsEnabled() {
        return tlsCert != null;
    }
}
