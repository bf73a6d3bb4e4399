package io.stillpoint.server.exec;

import io.stillpoint.storage.ColumnType;

import java.nio.charset.StandardCharsets;

/**
 * Converts one COPY field straight from its bytes to a column's Java value. The forms bulk loads consist of
 * (plain integers, plain decimals, {@code yyyy-mm-dd hh:mm:ss[.ffffff]} timestamps) are parsed from the bytes;
 * anything else (blanks, exponents with many digits, time zones, {@code NaN}, bad input) goes to the general
 * text parsers of {@link Values}, which also word the errors.
 */
final class CopyValues {

    private CopyValues() {}

    /** 10^0 .. 10^22: every one is exact as a double, which makes the fast decimal path correctly rounded. */
    private static final double[] POWERS_OF_TEN = new double[23];

    static {
        double p = 1;
        for (int i = 0; i < POWERS_OF_TEN.length; i++) {
            POWERS_OF_TEN[i] = p;
            p *= 10;
        }
    }

    static Object parse(ColumnType type, byte[] b, int from, int to) {
        switch (type) {
            case LONG: {
                long v = fastLong(b, from, to);
                return v != NOT_FAST ? (Object) v : Values.parseLong(text(b, from, to));
            }
            case INT: {
                long v = fastLong(b, from, to);
                if (v != NOT_FAST && v >= Integer.MIN_VALUE && v <= Integer.MAX_VALUE) {
                    return (int) v;
                }
                return Values.parseInt(text(b, from, to));
            }
            case DOUBLE: {
                double d = fastDouble(b, from, to);
                return !Double.isNaN(d) ? (Object) d : Values.parseDouble(text(b, from, to), DataType.FLOAT8);
            }
            case TIMESTAMP: {
                long v = fastTimestamp(b, from, to);
                return v != NOT_FAST ? (Object) v : Values.parseTimestamp(text(b, from, to));
            }
            case BOOLEAN:
                return Values.parseBoolean(text(b, from, to));
            case VARCHAR:
                return varchar(b, from, to);
            default:
                throw new IllegalStateException("unknown column type [type=" + type + "]");
        }
    }

    /**
     * A VARCHAR field: ASCII bytes are copied as they are; anything else must be valid UTF-8, else 22021 as
     * PostgreSQL answers (a lenient decoder would store U+FFFD in place of the client's bytes without a word).
     */
    static String varchar(byte[] b, int from, int to) {
        for (int i = from; i < to; i++) {
            if (b[i] < 0) {
                try {
                    return StandardCharsets.UTF_8.newDecoder()
                            .onMalformedInput(java.nio.charset.CodingErrorAction.REPORT)
                            .onUnmappableCharacter(java.nio.charset.CodingErrorAction.REPORT)
                            .decode(java.nio.ByteBuffer.wrap(b, from, to - from)).toString();
                } catch (java.nio.charset.CharacterCodingException e) {
                    throw new SqlError("22021", "invalid byte sequence for encoding UTF8 [value=" + text(b, from, to)
                            + "]");
                }
            }
        }
        return new String(b, from, to - from, StandardCharsets.ISO_8859_1);
    }

    static String text(byte[] b, int from, int to) {
        return new String(b, from, to - from, StandardCharsets.UTF_8);
    }

    private static final long NOT_FAST = Long.MIN_VALUE;

    /** {@code [-+]digits} with at most 18 digits, else NOT_FAST. */
    static long fastLong(byte[] b, int from, int to) {
        int i = from;
        boolean negative = false;
        if (i < to && (b[i] == '-' || b[i] == '+')) {
            negative = b[i] == '-';
            i++;
        }
        int n = to - i;
        if (n <= 0 || n > 18) {
            return NOT_FAST;
        }
        long v = 0;
        for (; i < to; i++) {
            int d = b[i] - '0';
            if (d < 0 || d > 9) {
                return NOT_FAST;
            }
            v = v * 10 + d;
        }
        return negative ? -v : v;
    }

    /**
     * {@code [-+]digits[.digits][e[-+]digits]} with at most 15 significant digits and a resulting power of ten
     * within ±22: mantissa and power are both exact doubles, so one multiplication or division rounds correctly
     * (Clinger's fast path). NaN when the field is not of that form.
     */
    static double fastDouble(byte[] b, int from, int to) {
        int i = from;
        boolean negative = false;
        if (i < to && (b[i] == '-' || b[i] == '+')) {
            negative = b[i] == '-';
            i++;
        }
        long mantissa = 0;
        int digits = 0;
        int scale = 0;
        boolean any = false;
        for (; i < to; i++) {
            int d = b[i] - '0';
            if (d < 0 || d > 9) {
                break;
            }
            any = true;
            if (mantissa != 0 || d != 0) {
                digits++;
            }
            mantissa = mantissa * 10 + d;
            if (digits > 15) {
                return Double.NaN;
            }
        }
        if (i < to && b[i] == '.') {
            i++;
            for (; i < to; i++) {
                int d = b[i] - '0';
                if (d < 0 || d > 9) {
                    break;
                }
                any = true;
                if (mantissa != 0 || d != 0) {
                    digits++;
                }
                mantissa = mantissa * 10 + d;
                scale--;
                if (digits > 15) {
                    return Double.NaN;
                }
            }
        }
        if (!any) {
            return Double.NaN;
        }
        if (i < to && (b[i] == 'e' || b[i] == 'E')) {
            i++;
            boolean negativeExponent = false;
            if (i < to && (b[i] == '-' || b[i] == '+')) {
                negativeExponent = b[i] == '-';
                i++;
            }
            int exponent = 0;
            int start = i;
            for (; i < to && i - start < 4; i++) {
                int d = b[i] - '0';
                if (d < 0 || d > 9) {
                    return Double.NaN;
                }
                exponent = exponent * 10 + d;
            }
            if (i == start) {
                return Double.NaN;
            }
            scale += negativeExponent ? -exponent : exponent;
        }
        if (i != to || scale < -22 || scale > 22) {
            return Double.NaN;
        }
        double v = (double) mantissa;
        v = scale < 0 ? v / POWERS_OF_TEN[-scale] : v * POWERS_OF_TEN[scale];
        return negative ? -v : v;
    }

    /**
     * {@code yyyy-mm-dd[ T]hh:mm:ss[.f{1,6}]} (year 1000 to 9999, a valid date and time of day), else NOT_FAST:
     * other forms (time zones, leap seconds, seven or more fraction digits, dates only) take the general path.
     */
    static long fastTimestamp(byte[] b, int from, int to) {
        int n = to - from;
        if (n < 19 || n > 26 || b[from + 4] != '-' || b[from + 7] != '-' || (b[from + 10] != ' ' && b[from + 10] != 'T')
                || b[from + 13] != ':' || b[from + 16] != ':') {
            return NOT_FAST;
        }
        int year = digits(b, from, 4);
        int month = digits(b, from + 5, 2);
        int day = digits(b, from + 8, 2);
        int hour = digits(b, from + 11, 2);
        int minute = digits(b, from + 14, 2);
        int second = digits(b, from + 17, 2);
        if (year < 1000 || month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)
                || hour < 0 || hour > 23 || minute < 0 || minute > 59 || second < 0 || second > 59) {
            return NOT_FAST;
        }
        long micros = 0;
        if (n > 19) {
            if (b[from + 19] != '.' || n == 20) {
                return NOT_FAST;
            }
            int fractionDigits = n - 20;
            int f = digits(b, from + 20, fractionDigits);
            if (f < 0) {
                return NOT_FAST;
            }
            micros = f;
            for (int k = fractionDigits; k < 6; k++) {
                micros *= 10;
            }
        }
        long days = daysFromCivil(year, month, day);
        return ((days * 24 + hour) * 60 + minute) * 60_000_000L + second * 1_000_000L + micros;
    }

    /** {@code count} decimal digits as an int, or -1 (every caller's value is non-negative). */
    private static int digits(byte[] b, int at, int count) {
        int v = 0;
        for (int i = at; i < at + count; i++) {
            int d = b[i] - '0';
            if (d < 0 || d > 9) {
                return -1;
            }
            v = v * 10 + d;
        }
        return v;
    }

    private static int daysInMonth(int year, int month) {
        return switch (month) {
            case 2 -> (year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)) ? 29 : 28;
            case 4, 6, 9, 11 -> 30;
            default -> 31;
        };
    }

    /** Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's algorithm). */
    static long daysFromCivil(int year, int month, int day) {
        int y = month <= 2 ? year - 1 : year;
        int era = (y >= 0 ? y : y - 399) / 400;
        int yoe = y - era * 400;
        int doy = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1;
        int doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
        return era * 146097L + doe - 719468;
    }
}
