package io.stillpoint.server.exec;

import io.stillpoint.sql.ast.CopyOptions;

/**
 * PostgreSQL's COPY CSV format: fields separated by the delimiter (comma); a quote starts a quoted section
 * anywhere in a field, inside which the delimiter, CR and LF are data and the escape character (by default the
 * quote itself, so {@code ""}) before a quote or an escape stands for that character. An unquoted field equal to
 * the NULL text (by default the empty string) is NULL; a quoted one never is, so {@code ""} is the empty string.
 * A record may span lines (a newline inside quotes).
 */
final class CopyCsvReader extends CopyRowReader {

    private final byte quote;
    private final byte escape;

    CopyCsvReader(CopyOptions options) {
        super(options);
        this.quote = (byte) options.quote();
        this.escape = (byte) options.escape();
    }

    @Override
    int rowEnd(byte[] b, int from, int to) {
        boolean inQuote = false;
        for (int i = from; i < to; i++) {
            byte c = b[i];
            if (inQuote) {
                if (c == escape && escape != quote) {
                    if (i + 1 >= to) {
                        return -1;
                    }
                    if (b[i + 1] == quote || b[i + 1] == escape) {
                        i++;
                        continue;
                    }
                }
                if (c == quote) {
                    inQuote = false;
                }
            } else if (c == quote) {
                inQuote = true;
            } else if (c == '\n') {
                return i;
            }
        }
        return -1;
    }

    @Override
    boolean unterminatedAtEnd(byte[] b, int from, int to) {
        boolean inQuote = false;
        for (int i = from; i < to; i++) {
            byte c = b[i];
            if (inQuote && c == escape && escape != quote && i + 1 < to && (b[i + 1] == quote || b[i + 1] == escape)) {
                i++;
            } else if (c == quote) {
                inQuote = !inQuote;
            }
        }
        return inQuote;
    }

    @Override
    void split(byte[] b, int from, int end, CopyFields out) {
        byte delim = delimiter;
        int i = from;
        while (true) {
            int s = i;
            while (i < end && b[i] != delim && b[i] != quote) {
                i++;
            }
            if (i >= end || b[i] == delim) {
                // the common case: an unquoted field, a slice of the input
                out.add(b, s, i, isNullText(b, s, i));
            } else {
                int at = out.scratchLength;
                for (int k = s; k < i; k++) {
                    out.appendScratch(b[k]);
                }
                boolean inQuote = false;
                while (i < end) {
                    byte c = b[i];
                    if (inQuote) {
                        if (c == escape && i + 1 < end && (b[i + 1] == quote || b[i + 1] == escape)
                                && (escape != quote || b[i + 1] == quote)) {
                            out.appendScratch(b[i + 1]);
                            i += 2;
                            continue;
                        }
                        if (c == quote) {
                            inQuote = false;
                        } else {
                            out.appendScratch(c);
                        }
                    } else if (c == quote) {
                        inQuote = true;
                    } else if (c == delim) {
                        break;
                    } else {
                        out.appendScratch(c);
                    }
                    i++;
                }
                out.add(null, at, out.scratchLength, false);
            }
            if (i >= end) {
                break;
            }
            i++;
        }
        for (int f = 0; f < out.count; f++) {
            if (out.data[f] == null) {
                out.data[f] = out.scratch;
            }
        }
    }
}
