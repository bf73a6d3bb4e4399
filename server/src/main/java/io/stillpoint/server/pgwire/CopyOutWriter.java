package io.stillpoint.server.pgwire;

import io.netty.buffer.ByteBuf;
import io.stillpoint.server.exec.DataType;
import io.stillpoint.server.exec.ResultColumn;
import io.stillpoint.server.pgwire.types.PgType;
import io.stillpoint.server.pgwire.types.PgTypes;
import io.stillpoint.sql.ast.CopyOptions;

import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * Formats COPY TO rows in PostgreSQL's text or CSV format, each value in its type's text output form (the same
 * codecs as DataRow). Numbers, booleans and timestamps are written straight into the buffer when their text
 * cannot contain the delimiter; strings (and anything else) are escaped (text: backslash escapes) or quoted
 * (CSV: when they contain the delimiter, the quote, CR or LF, equal the NULL text, or start with {@code \.}),
 * so what this writes, COPY FROM reads back as the same values.
 */
final class CopyOutWriter {

    private final CopyOptions options;
    private final List<ResultColumn> columns;
    private final PgType[] codecs;
    /** Per column: its text output needs no escaping or quoting whatever the value. */
    private final boolean[] plain;
    private final byte[] nullBytes;

    CopyOutWriter(CopyOptions options, List<ResultColumn> columns) {
        this.options = options;
        this.columns = columns;
        this.codecs = new PgType[columns.size()];
        this.plain = new boolean[columns.size()];
        this.nullBytes = options.nullText().getBytes(StandardCharsets.UTF_8);
        // digits, signs, '.', 'e', ':', ' ', letters of NaN/Infinity/true/false: a delimiter outside them is safe
        char d = options.delimiter();
        boolean safeDelimiter = !Character.isLetterOrDigit(d) && " .:+-".indexOf(d) < 0;
        for (int i = 0; i < codecs.length; i++) {
            DataType type = columns.get(i).type();
            codecs[i] = PgTypes.of(type);
            plain[i] = safeDelimiter && type != DataType.TEXT && type != DataType.VARCHAR && type != DataType.UNKNOWN;
        }
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
