package io.stillpoint.server.pgwire;

import java.util.List;
import java.util.Objects;

/**
 * Settings of the PostgreSQL wire server.
 *
 * @param host           address to bind (e.g. {@code 0.0.0.0} or {@code 127.0.0.1})
 * @param port           TCP port; 0 picks an ephemeral one ({@link PgServer#boundAddress()} tells which)
 * @param maxFrameLength the largest message body accepted; a longer frame is a protocol violation (08P01)
 * @param authMethod     how passwords are checked
 * @param users          the accounts that may log in
 */
public record PgServerConfig(String host, int port, int maxFrameLength, AuthMethod authMethod, List<UserAccount> users) {

    /** 64 MiB: large enough for a multi-thousand-row rewritten batch insert, small enough to bound memory. */
    public static final int DEFAULT_MAX_FRAME_LENGTH = 64 * 1024 * 1024;

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
    }

    /** SCRAM-SHA-256 and a 64 MiB frame limit. */
    public static PgServerConfig defaults(String host, int port, List<UserAccount> users) {
        return new PgServerConfig(host, port, DEFAULT_MAX_FRAME_LENGTH, AuthMethod.SCRAM_SHA_256, users);
    }
}
