package io.stillpoint.server.pgwire.types;

import io.stillpoint.server.exec.SqlError;

/** The SqlErrors the codecs raise, worded alike for every type. */
final class TypeErrors {
    static final String INVALID_TEXT = "22P02";
    static final String OUT_OF_RANGE = "22003";
    static final String INVALID_BINARY = "22P03";

    private TypeErrors() {}

    static SqlError invalidText(String typeName, String value) {
        return new SqlError(INVALID_TEXT, "invalid input syntax for type " + typeName + " [value=" + value + "]");
    }

    static SqlError outOfRange(String typeName, String value) {
        return new SqlError(OUT_OF_RANGE, "value out of range for type " + typeName + " [value=" + value + "]");
    }

    static SqlError invalidBinary(String typeName, int length) {
        return new SqlError(INVALID_BINARY, "incorrect binary data format [type=" + typeName + ", length=" + length + "]");
    }

    static void expectLength(String typeName, int length, int expected) {
        if (length != expected) {
            throw invalidBinary(typeName, length);
        }
    }

    /** Reads a big-endian int16. */
    static short int16(byte[] b, int off) {
        return (short) (((b[off] & 0xFF) << 8) | (b[off + 1] & 0xFF));
    }

    /** Reads a big-endian int32. */
    static int int32(byte[] b, int off) {
        return ((b[off] & 0xFF) << 24) | ((b[off + 1] & 0xFF) << 16) | ((b[off + 2] & 0xFF) << 8) | (b[off + 3] & 0xFF);
    }

    /** Reads a big-endian int64. */
    static long int64(byte[] b, int off) {
        return ((long) int32(b, off) << 32) | (int32(b, off + 4) & 0xFFFFFFFFL);
    }
}
