package io.stillpoint.storage.table;

import java.nio.ByteBuffer;

/** UTF-8 encoding straight into a buffer, without the temporary byte[] of String.getBytes. */
final class Utf8 {

    private Utf8() {
    }

    /** Encodes {@code s}; the buffer must have 3 bytes per char free. Unpaired surrogates become '?'. */
    static void encode(String s, ByteBuffer out) {
        int n = s.length();
        for (int i = 0; i < n; i++) {
            char ch = s.charAt(i);
            if (ch < 0x80) {
                out.put((byte) ch);
            } else if (ch < 0x800) {
                out.put((byte) (0xC0 | (ch >> 6))).put((byte) (0x80 | (ch & 0x3F)));
            } else if (Character.isHighSurrogate(ch) && i + 1 < n && Character.isLowSurrogate(s.charAt(i + 1))) {
                int cp = Character.toCodePoint(ch, s.charAt(++i));
                out.put((byte) (0xF0 | (cp >> 18))).put((byte) (0x80 | ((cp >> 12) & 0x3F)))
                        .put((byte) (0x80 | ((cp >> 6) & 0x3F))).put((byte) (0x80 | (cp & 0x3F)));
            } else if (Character.isSurrogate(ch)) {
                out.put((byte) '?');
            } else {
                out.put((byte) (0xE0 | (ch >> 12))).put((byte) (0x80 | ((ch >> 6) & 0x3F)))
                        .put((byte) (0x80 | (ch & 0x3F)));
            }
        }
    }
}
