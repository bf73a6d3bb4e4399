package io.stillpoint.server.pgwire.types;

/** Parses integer text the way int2in/int4in/int8in do: optional sign, decimal digits, surrounding blanks. */
final class IntegerText {
    private IntegerText() {}

    static long parse(String text, String typeName, long min, long max) {
        String s = text.strip();
        int i = 0;
        boolean negative = false;
        if (!s.isEmpty() && (s.charAt(0) == '+' || s.charAt(0) == '-')) {
            negative = s.charAt(0) == '-';
            i = 1;
        }
        if (i == s.length()) {
            throw TypeErrors.invalidText(typeName, text);
        }
        // Accumulate negatively so that Long.MIN_VALUE parses without overflow.
        long acc = 0;
        boolean overflow = false;
        for (; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < '0' || c > '9') {
                throw TypeErrors.invalidText(typeName, text);
            }
            int digit = c - '0';
            if (acc < (Long.MIN_VALUE + digit) / 10) {
                overflow = true;
            } else {
                acc = acc * 10 - digit;
            }
        }
        if (!negative) {
            if (acc == Long.MIN_VALUE) {
                overflow = true;
            }
            acc = -acc;
        }
        if (overflow || acc < min || acc > max) {
            throw TypeErrors.outOfRange(typeName, text);
        }
        return acc;
    }
}
