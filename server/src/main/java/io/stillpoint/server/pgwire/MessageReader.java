package io.stillpoint.server.pgwire;

import java.nio.charset.StandardCharsets;

/**
 * Reads the fields of one frontend message body (big-endian integers, NUL-terminated UTF-8 strings).
 * Every read checks the bounds and throws {@link ProtocolViolation} on truncated or garbage input.
 */
final class MessageReader {
    private final byte[] body;
    private final String message;
    private int pos;

    /** @param message the message name, for error text */
    MessageReader(byte[] body, String message) {
        this.body = body;
        this.message = message;
    }

    byte[] body() {
        return body;
    }

    int position() {
        return pos;
    }

    int remaining() {
        return body.length - pos;
    }

    private void need(int n) {
        if (n < 0 || body.length - pos < n) {
            throw new ProtocolViolation("truncated message [message=" + message + ", needed=" + n
                    + ", remaining=" + (body.length - pos) + "]");
        }
    }

    byte readByte() {
        need(1);
        return body[pos++];
    }

    short readInt16() {
        need(2);
        short v = (short) (((body[pos] & 0xFF) << 8) | (body[pos + 1] & 0xFF));
        pos += 2;
        return v;
    }

    /** Counts (parameters, formats) are unsigned: a rewritten batch sends up to 65535 parameters. */
    int readUnsignedInt16() {
        return readInt16() & 0xFFFF;
    }

    int readInt32() {
        need(4);
        int v = ((body[pos] & 0xFF) << 24) | ((body[pos + 1] & 0xFF) << 16) | ((body[pos + 2] & 0xFF) << 8) | (body[pos + 3] & 0xFF);
        pos += 4;
        return v;
    }

    /** A NUL-terminated UTF-8 string. */
    String readCString() {
        if (pos < body.length && body[pos] == 0) {
            pos++;
            return ""; // the unnamed statement or portal, in nearly every Bind, Describe and Execute
        }
        int end = pos;
        while (end < body.length && body[end] != 0) {
            end++;
        }
        if (end == body.length) {
            throw new ProtocolViolation("unterminated string [message=" + message + ", offset=" + pos + "]");
        }
        String s = new String(body, pos, end - pos, StandardCharsets.UTF_8);
        pos = end + 1;
        return s;
    }

    /**
     * If the next field is the NUL-terminated string whose UTF-8 bytes are {@code expected}, skips it and returns
     * true; otherwise reads nothing and returns false. Lets Bind recognise the statement it named last time
     * without building a String.
     */
    boolean skipCStringIfEquals(byte[] expected) {
        int n = expected.length;
        if (body.length - pos < n + 1 || body[pos + n] != 0
                || !java.util.Arrays.equals(body, pos, pos + n, expected, 0, n)) {
            return false;
        }
        pos += n + 1;
        return true;
    }

    /** Skips n bytes and returns the offset where they start. */
    int skip(int n) {
        need(n);
        int start = pos;
        pos += n;
        return start;
    }

    byte[] readBytes(int n) {
        int start = skip(n);
        byte[] out = new byte[n];
        System.arraycopy(body, start, out, 0, n);
        return out;
    }

    /** Fails if bytes are left over: a message longer than its fields is garbage too. */
    void expectEnd() {
        if (pos != body.length) {
            throw new ProtocolViolation("unexpected bytes at end of message [message=" + message
                    + ", extra=" + (body.length - pos) + "]");
        }
    }
}
