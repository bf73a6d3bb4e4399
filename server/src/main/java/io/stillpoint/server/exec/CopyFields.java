package io.stillpoint.server.exec;

/**
 * The fields of one COPY FROM row as a {@link CopyRowReader} split them: per field the bytes (a slice of the
 * input buffer when the field needed no unescaping, else of a scratch buffer) and whether it is NULL. Reused
 * from row to row, so splitting a row allocates nothing.
 */
final class CopyFields {
    byte[][] data = new byte[16][];
    int[] start = new int[16];
    int[] end = new int[16];
    boolean[] isNull = new boolean[16];
    int count;

    /** Unescaped field bytes of the current row; {@link #reset()} empties it. */
    byte[] scratch = new byte[256];
    int scratchLength;

    void reset() {
        count = 0;
        scratchLength = 0;
    }

    void add(byte[] bytes, int from, int to, boolean nul) {
        if (count == start.length) {
            int n = count * 2;
            data = java.util.Arrays.copyOf(data, n);
            start = java.util.Arrays.copyOf(start, n);
            end = java.util.Arrays.copyOf(end, n);
            isNull = java.util.Arrays.copyOf(isNull, n);
        }
        data[count] = bytes;
        start[count] = from;
        end[count] = to;
        isNull[count] = nul;
        count++;
    }

    void appendScratch(byte b) {
        if (scratchLength == scratch.length) {
            scratch = java.util.Arrays.copyOf(scratch, scratchLength * 2);
        }
        scratch[scratchLength++] = b;
    }

    /** Field {@code i} as text, for error messages. */
    String text(int i) {
        return new String(data[i], start[i], end[i] - start[i], java.nio.charset.StandardCharsets.UTF_8);
    }
}
