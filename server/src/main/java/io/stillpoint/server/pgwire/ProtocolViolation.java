package io.stillpoint.server.pgwire;

/** A message that breaks the protocol (truncated, malformed, out of place): 08P01, then the connection closes. */
final class ProtocolViolation extends RuntimeException {
    ProtocolViolation(String message) {
        super(message, null, false, false);
    }
}
