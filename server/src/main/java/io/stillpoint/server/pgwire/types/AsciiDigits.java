package io.stillpoint.server.pgwire.types;

import io.netty.buffer.ByteBuf;

/** Writes the decimal text of an integer straight into a buffer, without a String per value (hot in DataRow). */
final class AsciiDigits {
    private AsciiDigits() {}

    static void writeLong(ByteBuf out, long value) {
        if (value == Long.MIN_VALUE) {
            out.writeCharSequence("-9223372036854775808", java.nio.charset.StandardCharsets.US_ASCII);
            return;
        }
        if (value < 0) {
            out.writeByte('-');
            value = -value;
        }
        int digits = 1;
        for (long v = value; v >= 10; v /= 10) {
            digits++;
        }
        int start = out.writerIndex();
        out.ensureWritable(digits);
        for (int i = digits - 1; i >= 0; i--) {
            out.setByte(start + i, (int) ('0' + value % 10));
            value /= 10;
        }
        out.writerIndex(start + digits);
    }
}
