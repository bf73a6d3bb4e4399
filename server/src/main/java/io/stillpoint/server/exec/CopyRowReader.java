package io.stillpoint.server.exec;

import io.stillpoint.sql.ast.CopyOptions;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Splits the byte stream of COPY FROM STDIN into rows and fields, whatever the CopyData boundaries: a row that
 * is cut by the end of a chunk is carried over (only that tail is copied) and completed by the next chunk. Works
 * on bytes: no String per line, no regular expression; only a field that needs unescaping is copied.
 *
 * <p>Rows end at LF, or CR LF; a line {@code \.} alone ends the data, as in PostgreSQL. The format-specific part,
 * where a row ends and how it splits into fields, is in {@link CopyTextReader} and {@link CopyCsvReader}.
 */
abstract class CopyRowReader {

    /** Receives each row; {@code line} is the 1-based record number in the data (the header, if any, is 1). */
    interface RowHandler {
        void row(CopyFields fields, long line);
    }

    final CopyOptions options;
    final byte delimiter;
    final byte[] nullBytes;
    private final CopyFields fields = new CopyFields();
    private byte[] carry = new byte[0];
    private int carryLength;
    private long line;
    private boolean skipHeader;
    private boolean ended;

    CopyRowReader(CopyOptions options) {
        this.options = options;
        this.delimiter = (byte) options.delimiter();
        this.nullBytes = options.nullText().getBytes(StandardCharsets.UTF_8);
        this.skipHeader = options.header();
    }

    static CopyRowReader of(CopyOptions options) {
        return options.csv() ? new CopyCsvReader(options) : new CopyTextReader(options);
    }

    /** Rows read so far, including a header. */
    long lines() {
        return line;
    }

    /** Parses every row completed by this chunk and hands it to {@code handler}. */
    final void feed(byte[] chunk, int offset, int length, RowHandler handler) {
        if (ended || length == 0) {
            return;
        }
        if (carryLength == 0) {
            int rest = rows(chunk, offset, offset + length, handler);
            keep(chunk, rest, offset + length);
            return;
        }
        if (carryLength + length > carry.length) {
            carry = Arrays.copyOf(carry, Math.max(carry.length * 2, carryLength + length));
        }
        System.arraycopy(chunk, offset, carry, carryLength, length);
        int total = carryLength + length;
        carryLength = 0;
        // rows() hands out slices of carry, so the leftover is moved only after it returns
        int rest = rows(carry, 0, total, handler);
        if (rest < total) {
            System.arraycopy(carry, rest, carry, 0, total - rest);
        }
        carryLength = ended ? 0 : total - rest;
    }

    /** The end of the data (CopyDone): a last row without a line end is a row too. */
    final void finish(RowHandler handler) {
        if (ended || carryLength == 0) {
            return;
        }
        int n = carryLength;
        carryLength = 0;
        if (rowEnd(carry, 0, n) < 0 && unterminatedAtEnd(carry, 0, n)) {
            line++;
            throw new SqlError("22P04", "unterminated csv quoted field [line=" + line + "]");
        }
        row(carry, 0, n, handler);
    }

    private void keep(byte[] bytes, int from, int to) {
        int n = to - from;
        if (n == 0 || ended) {
            return;
        }
        if (n > carry.length) {
            carry = new byte[Math.max(n, 2 * carry.length)];
        }
        System.arraycopy(bytes, from, carry, 0, n);
        carryLength = n;
    }

    /** Handles the complete rows in {@code [from, to)}; returns where the unfinished tail starts. */
    private int rows(byte[] b, int from, int to, RowHandler handler) {
        int p = from;
        while (p < to && !ended) {
            int end = rowEnd(b, p, to);
            if (end < 0) {
                return p;
            }
            row(b, p, end, handler);
            p = end + 1;
        }
        return ended ? to : p;
    }

    /** One row, {@code end} excluding the LF. */
    private void row(byte[] b, int from, int end, RowHandler handler) {
        if (end > from && b[end - 1] == '\r') {
            end--;
        }
        if (end - from == 2 && b[from] == '\\' && b[from + 1] == '.') {
            ended = true;
            return;
        }
        line++;
        if (skipHeader) {
            skipHeader = false;
            return;
        }
        fields.reset();
        split(b, from, end, fields);
        handler.row(fields, line);
    }

    /** Whether the bytes end inside a quoted field (CSV): then the data was cut short. */
    boolean unterminatedAtEnd(byte[] b, int from, int to) {
        return false;
    }

    /** The index of the LF that ends the row starting at {@code from}, or -1 if the row is not complete yet. */
    abstract int rowEnd(byte[] b, int from, int to);

    /** Splits the row {@code [from, end)} (no line end) into {@code out}. */
    abstract void split(byte[] b, int from, int end, CopyFields out);

    final boolean isNullText(byte[] b, int from, int to) {
        byte[] n = nullBytes;
        if (to - from != n.length) {
            return false;
        }
        for (int i = 0; i < n.length; i++) {
            if (b[from + i] != n[i]) {
                return false;
            }
        }
        return true;
    }
}
