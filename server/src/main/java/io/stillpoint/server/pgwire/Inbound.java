package io.stillpoint.server.pgwire;

/** What {@link PgFrameDecoder} hands to the protocol state machine: whole frames, or the reason framing failed. */
sealed interface Inbound {

    /** An untyped pre-startup frame: {@code Int32 length, Int32 code, body}; code is the protocol version or a request code. */
    record StartupFrame(int code, byte[] body) implements Inbound {}

    /** A typed frame: {@code Byte1 type, Int32 length, body}; body excludes type and length. */
    record MessageFrame(byte type, byte[] body) implements Inbound {}

    /** The byte stream cannot be framed any more (08P01); nothing after it is decoded. */
    record FramingError(String message) implements Inbound {}

    /** The server refuses the connection before authentication (too many connections, TLS required): FATAL, close. */
    record Refused(String sqlState, String message) implements Inbound {}

    /** The connection has been idle for {@code timeout}: closed with FATAL 57P05 unless a transaction is open. */
    record IdleTimeout(String timeout) implements Inbound {}

    /** The channel closed: release the session. Always the last element of a connection's stream. */
    record ChannelClosed() implements Inbound {}
}
