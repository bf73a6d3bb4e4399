package io.stillpoint.server.pgwire;

import io.netty.buffer.ByteBuf;
import io.stillpoint.server.exec.DataType;
import io.stillpoint.server.exec.ResultColumn;
import io.stillpoint.server.exec.RowBatch;
import io.stillpoint.server.pgwire.types.PgType;
import io.stillpoint.server.pgwire.types.PgTypes;
import io.stillpoint.server.pgwire.types.TextBytes;
import io.stillpoint.sql.ast.CopyOptions;
import io.stillpoint.storage.ColumnChunk;
import io.stillpoint.storage.ColumnType;

import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * Formats COPY TO rows in PostgreSQL's text or CSV format, each value in its type's text output form (the same
 * codecs as DataRow). Numbers, booleans and timestamps are written straight into the buffer when their text
 * cannot contain the delimiter; strings (and anything else) are escaped (text: backslash escapes) or quoted
 * (CSV: when they contain the delimiter, the quote, CR or LF, equal the NULL text, or start with {@code \.}),
 * so what this writes, COPY FROM reads back as the same values.
 *
 * <p>When every column's text needs no escaping (numbers, timestamps, booleans with a safe delimiter), a whole
 * CopyData message is formatted into one reused byte array, integers, timestamps and float8 values by
 * {@link TextBytes} without a String, and copied into the buffer at once: this is COPY TO's per-row cost.
 */
final class CopyOutWriter {

    private final CopyOptions options;
    private final List<ResultColumn> columns;
    private final PgType[] codecs;
    /** Per column: its text output needs no escaping or quoting whatever the value. */
    private final boolean[] plain;
    private final byte[] nullBytes;
    /** Per column, how {@link #writeRowMessage} formats it: one of the {@code KIND_} constants. */
    private final byte[] kinds;
    /** Every column is plain: rows go through {@link #writeRowMessage}'s scratch array. */
    private final boolean allPlain;
    /** One CopyData message being formatted; grows for long values. */
    private byte[] scratch = new byte[256];
    private final TextBytes.TimestampWriter timestamps = new TextBytes.TimestampWriter();

    private static final byte KIND_INTEGER = 0;
    private static final byte KIND_FLOAT8 = 1;
    private static final byte KIND_TIMESTAMP = 2;
    /** Any other plain type: its codec's text, ASCII. */
    private static final byte KIND_CODEC = 3;
    private static final byte KIND_INT4 = 4;
    private static final byte KIND_INT2 = 5;

    CopyOutWriter(CopyOptions options, List<ResultColumn> columns) {
        this.options = options;
        this.columns = columns;
        this.codecs = new PgType[columns.size()];
        this.plain = new boolean[columns.size()];
        this.nullBytes = options.nullText().getBytes(StandardCharsets.UTF_8);
        this.kinds = new byte[columns.size()];
        // digits, signs, '.', 'e', ':', ' ', letters of NaN/Infinity/true/false: a delimiter outside them is safe
        char d = options.delimiter();
        boolean safeDelimiter = !Character.isLetterOrDigit(d) && " .:+-".indexOf(d) < 0;
        for (int i = 0; i < codecs.length; i++) {
            DataType type = columns.get(i).type();
            codecs[i] = PgTypes.of(type);
            plain[i] = safeDelimiter && type != DataType.TEXT && type != DataType.VARCHAR && type != DataType.UNKNOWN;
            kinds[i] = switch (type) {
                case INT8 -> KIND_INTEGER;
                case INT4 -> KIND_INT4;
                case INT2 -> KIND_INT2;
                case FLOAT8 -> KIND_FLOAT8;
                case TIMESTAMP -> KIND_TIMESTAMP;
                default -> KIND_CODEC;
            };
        }
        boolean all = true;
        for (boolean p : plain) {
            all &= p;
        }
        this.allPlain = all;
    }

    /**
     * One row as a whole CopyData message ({@code 'd', Int32 len, row, LF}) if every column is plain, formatted
     * into the scratch array and written with one copy; returns false (nothing written) otherwise.
     */
    boolean writeRowMessage(ByteBuf out, Object[] row) {
        if (!allPlain) {
            return false;
        }
        byte[] b = scratch;
        int at = 5;
        byte delimiter = (byte) options.delimiter();
        for (int i = 0; i < kinds.length; i++) {
            // room for a delimiter, the longest fast value (or the NULL text) and the final LF
            int need = at + 2 + Math.max(TextBytes.MAX_LENGTH, nullBytes.length);
            if (need > b.length) {
                b = scratch = java.util.Arrays.copyOf(b, Math.max(need, 2 * b.length));
            }
            if (i > 0) {
                b[at++] = delimiter;
            }
            Object value = i < row.length ? row[i] : null;
            if (value == null) {
                System.arraycopy(nullBytes, 0, b, at, nullBytes.length);
                at += nullBytes.length;
                continue;
            }
            int end = switch (kinds[i]) {
                case KIND_INTEGER -> TextBytes.writeLong(b, at, ((Number) value).longValue());
                case KIND_INT4 -> TextBytes.writeLong(b, at, ((Number) value).intValue());
                case KIND_INT2 -> TextBytes.writeLong(b, at, ((Number) value).shortValue());
                case KIND_FLOAT8 -> TextBytes.writeFloat8(b, at, ((Number) value).doubleValue());
                case KIND_TIMESTAMP -> timestamps.write(b, at, ((Number) value).longValue());
                default -> TextBytes.NOT_FAST;
            };
            if (end == TextBytes.NOT_FAST) {
                // plain types' text is ASCII: one byte per char
                String text = codecs[i].encodeText(value);
                if (at + text.length() + 1 > b.length) {
                    b = scratch = java.util.Arrays.copyOf(b, Math.max(at + text.length() + 1, 2 * b.length));
                }
                for (int k = 0; k < text.length(); k++) {
                    b[at + k] = (byte) text.charAt(k);
                }
                end = at + text.length();
            }
            at = end;
        }
        b[at++] = '\n';
        b[0] = 'd';
        int length = at - 1;
        b[1] = (byte) (length >>> 24);
        b[2] = (byte) (length >>> 16);
        b[3] = (byte) (length >>> 8);
        b[4] = (byte) length;
        out.writeBytes(b, 0, at);
        return true;
    }

    /** The CSV header: the column names, then LF. */
    void writeHeader(ByteBuf out) {
        for (int i = 0; i < columns.size(); i++) {
            if (i > 0) {
                out.writeByte(options.delimiter());
            }
            writeCsv(out, columns.get(i).name());
        }
        out.writeByte('\n');
    }

    /** One row, then LF. */
    void writeRow(ByteBuf out, Object[] row) {
        for (int i = 0; i < codecs.length; i++) {
            if (i > 0) {
                out.writeByte(options.delimiter());
            }
            Object value = i < row.length ? row[i] : null;
            if (value == null) {
                out.writeBytes(nullBytes);
            } else if (plain[i]) {
                codecs[i].writeText(out, value);
            } else if (options.csv()) {
                writeCsv(out, codecs[i].encodeText(value));
            } else {
                writeText(out, codecs[i].encodeText(value));
            }
        }
        out.writeByte('\n');
    }

    /** Whether {@link #writeBatch} can format this COPY's rows (every column plain). */
    boolean takesBatches() {
        return allPlain;
    }

    /**
     * The rows of a column batch, one CopyData message each, formatted from the chunks' primitives without
     * boxing; the same bytes {@link #writeRowMessage} writes for the boxed rows.
     */
    void writeBatch(ByteBuf out, RowBatch batch, int from, int to) {
        ColumnChunk[] chunks = batchChunks;
        if (chunks == null) {
            chunks = batchChunks = new ColumnChunk[kinds.length];
        }
        boolean[] longs = batchLongs;
        if (longs == null) {
            longs = batchLongs = new boolean[kinds.length];
        }
        for (int c = 0; c < chunks.length; c++) {
            chunks[c] = batch.column(c);
            ColumnType type = chunks[c].type();
            longs[c] = type == ColumnType.LONG || type == ColumnType.TIMESTAMP || type == ColumnType.INT;
        }
        byte delimiter = (byte) options.delimiter();
        int room = kinds.length * (1 + Math.max(TextBytes.MAX_LENGTH, nullBytes.length)) + 6;
        for (int k = from; k < to; k++) {
            int r = batch.row(k);
            byte[] b = scratch;
            if (b.length < room) {
                b = scratch = new byte[Math.max(room, 2 * b.length)];
            }
            int at = 5;
            for (int i = 0; i < chunks.length; i++) {
                if (i > 0) {
                    b[at++] = delimiter;
                }
                ColumnChunk chunk = chunks[i];
                if (chunk.isNull(r)) {
                    System.arraycopy(nullBytes, 0, b, at, nullBytes.length);
                    at += nullBytes.length;
                    continue;
                }
                byte kind = kinds[i];
                int end;
                if (kind == KIND_FLOAT8) {
                    end = TextBytes.writeFloat8(b, at, chunk.getDouble(r));
                } else if (kind == KIND_TIMESTAMP && longs[i]) {
                    end = timestamps.write(b, at, chunk.getLong(r));
                } else if (kind == KIND_INTEGER && longs[i]) {
                    end = TextBytes.writeLong(b, at, chunk.getLong(r));
                } else if (kind == KIND_INT4 && longs[i]) {
                    end = TextBytes.writeLong(b, at, (int) chunk.getLong(r));
                } else if (kind == KIND_INT2 && longs[i]) {
                    end = TextBytes.writeLong(b, at, (short) chunk.getLong(r));
                } else {
                    end = TextBytes.NOT_FAST;
                }
                if (end == TextBytes.NOT_FAST) {
                    String text = codecs[i].encodeText(chunk.getValue(r));
                    int need = at + text.length() + room;
                    if (need > b.length) {
                        b = scratch = java.util.Arrays.copyOf(b, Math.max(need, 2 * b.length));
                    }
                    for (int j = 0; j < text.length(); j++) {
                        b[at + j] = (byte) text.charAt(j);
                    }
                    end = at + text.length();
                }
                at = end;
            }
            b[at++] = '\n';
            b[0] = 'd';
            int length = at - 1;
            b[1] = (byte) (length >>> 24);
            b[2] = (byte) (length >>> 16);
            b[3] = (byte) (length >>> 8);
            b[4] = (byte) length;
            out.writeBytes(b, 0, at);
        }
    }

    private ColumnChunk[] batchChunks;
    /** Per column of the current batch: its chunk has getLong (LONG, TIMESTAMP, INT). */
    private boolean[] batchLongs;

    /** Text format: backslash, the delimiter, LF, CR, tab and the other control characters escaped. */
    private void writeText(ByteBuf out, String s) {
        byte[] bytes = s.getBytes(StandardCharsets.UTF_8);
        byte delimiter = (byte) options.delimiter();
        for (byte b : bytes) {
            switch (b) {
                case '\\' -> out.writeByte('\\').writeByte('\\');
                case '\n' -> out.writeByte('\\').writeByte('n');
                case '\r' -> out.writeByte('\\').writeByte('r');
                case '\t' -> out.writeByte('\\').writeByte('t');
                case 8 -> out.writeByte('\\').writeByte('b');
                case 12 -> out.writeByte('\\').writeByte('f');
                case 11 -> out.writeByte('\\').writeByte('v');
                default -> {
                    if (b == delimiter) {
                        out.writeByte('\\');
                    }
                    out.writeByte(b);
                }
            }
        }
    }

    /** CSV: quoted when needed, the quote and the escape character doubled by the escape character inside. */
    private void writeCsv(ByteBuf out, String s) {
        char delimiter = options.delimiter();
        char quote = options.quote();
        char escape = options.escape();
        boolean quoted = s.equals(options.nullText()) || s.startsWith("\\.");
        for (int i = 0; i < s.length() && !quoted; i++) {
            char c = s.charAt(i);
            quoted = c == delimiter || c == quote || c == '\n' || c == '\r' || c == escape && escape != quote;
        }
        if (!quoted) {
            out.writeCharSequence(s, StandardCharsets.UTF_8);
            return;
        }
        out.writeByte(quote);
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == quote || (c == escape && escape != quote)) {
                out.writeByte(escape);
                out.writeByte(c);
            } else if (c < 0x80) {
                out.writeByte(c);
            } else {
                int end = i + 1;
                if (Character.isHighSurrogate(c) && end < s.length()) {
                    end++;
                }
                out.writeCharSequence(s.subSequence(i, end), StandardCharsets.UTF_8);
                i = end - 1;
            }
        }
        out.writeByte(quote);
    }
}
