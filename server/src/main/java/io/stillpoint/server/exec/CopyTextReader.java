package io.stillpoint.server.exec;

import io.stillpoint.sql.ast.CopyOptions;

/**
 * PostgreSQL's COPY text format: fields separated by the delimiter (tab), NULL written as {@code \N} (compared
 * with the field as written, before unescaping), and backslash escapes: {@code \b \f \n \r \t \v}, {@code \ooo}
 * (1 to 3 octal digits), {@code \xhh} (1 or 2 hex digits), and a backslash before any other character (the
 * delimiter, a backslash, a newline) stands for that character.
 */
final class CopyTextReader extends CopyRowReader {

    CopyTextReader(CopyOptions options) {
        super(options);
    }

    @Override
    int rowEnd(byte[] b, int from, int to) {
        for (int i = from; i < to; i++) {
            byte c = b[i];
            if (c == '\n') {
                return i;
            }
            if (c == '\\') {
                // the escaped byte may be a newline that belongs to the data; an unfinished escape waits for more
                if (++i >= to) {
                    return -1;
                }
            }
        }
        return -1;
    }

    @Override
    void split(byte[] b, int from, int end, CopyFields out) {
        byte delim = delimiter;
        int i = from;
        while (true) {
            int s = i;
            boolean escaped = false;
            while (i < end) {
                byte c = b[i];
                if (c == delim) {
                    break;
                }
                if (c == '\\') {
                    escaped = true;
                    i += 2;
                    continue;
                }
                i++;
            }
            if (i > end) {
                i = end;
            }
            if (isNullText(b, s, i)) {
                out.add(b, s, s, true);
            } else if (escaped) {
                int at = out.scratchLength;
                unescape(b, s, i, out);
                out.add(null, at, out.scratchLength, false);
            } else {
                out.add(b, s, i, false);
            }
            if (i >= end) {
                break;
            }
            i++;
        }
        // unescaped fields point into scratch, which may have grown while the row was split
        for (int f = 0; f < out.count; f++) {
            if (out.data[f] == null) {
                out.data[f] = out.scratch;
            }
        }
    }

    private static void unescape(byte[] b, int from, int to, CopyFields out) {
        int i = from;
        while (i < to) {
            byte c = b[i++];
            if (c != '\\' || i >= to) {
                out.appendScratch(c);
                continue;
            }
            byte e = b[i++];
            switch (e) {
                case 'b' -> out.appendScratch((byte) 8);
                case 'f' -> out.appendScratch((byte) 12);
                case 'n' -> out.appendScratch((byte) '\n');
                case 'r' -> out.appendScratch((byte) '\r');
                case 't' -> out.appendScratch((byte) '\t');
                case 'v' -> out.appendScratch((byte) 11);
                case 'x' -> {
                    int v = 0;
                    int digits = 0;
                    while (digits < 2 && i < to && Character.digit(b[i], 16) >= 0) {
                        v = v * 16 + Character.digit(b[i++], 16);
                        digits++;
                    }
                    out.appendScratch(digits == 0 ? (byte) 'x' : (byte) v);
                }
                default -> {
                    if (e >= '0' && e <= '7') {
                        int v = e - '0';
                        int digits = 1;
                        while (digits < 3 && i < to && b[i] >= '0' && b[i] <= '7') {
                            v = v * 8 + (b[i++] - '0');
                            digits++;
                        }
                        out.appendScratch((byte) v);
                    } else {
                        out.appendScratch(e);
                    }
                }
            }
        }
    }
}
