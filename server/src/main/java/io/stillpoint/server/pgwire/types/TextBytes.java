package io.stillpoint.server.pgwire.types;

/**
 * The text output of bigint, timestamp and float8 values written straight into a byte array, for COPY TO's rows
 * (one array per row, one copy into the socket buffer): no boxing, no String, no per-byte buffer calls. Each
 * method writes exactly the bytes its type's {@link PgType#encodeText} returns (the tests compare them for random
 * values), and returns the index after the last byte written, or {@link #NOT_FAST} (nothing written) for the
 * rare values it leaves to the codec. The caller makes room: {@link #MAX_LENGTH} bytes per value.
 */
public final class TextBytes {
    /** Returned when the value is left to the type's codec. */
    public static final int NOT_FAST = -1;
    /** The most bytes one call writes ({@code -9223372036854775808}: 20; a float8 in fixed notation: 17 + 1). */
    public static final int MAX_LENGTH = 32;

    private static final long[] POWERS_OF_FIVE = new long[19];
    /** "00", "01", ... "99": two digits per division. */
    private static final byte[] DIGIT_PAIRS = new byte[200];

    static {
        for (int i = 0; i < 100; i++) {
            DIGIT_PAIRS[2 * i] = (byte) ('0' + i / 10);
            DIGIT_PAIRS[2 * i + 1] = (byte) ('0' + i % 10);
        }
        POWERS_OF_FIVE[0] = 1;
        for (int i = 1; i < POWERS_OF_FIVE.length; i++) {
            POWERS_OF_FIVE[i] = POWERS_OF_FIVE[i - 1] * 5;
        }
    }

    private TextBytes() {}

    /** Decimal text of {@code value}, as {@code Long.toString}. */
    public static int writeLong(byte[] b, int at, long value) {
        if (value < 0) {
            if (value == Long.MIN_VALUE) {
                for (char c : "-9223372036854775808".toCharArray()) {
                    b[at++] = (byte) c;
                }
                return at;
            }
            b[at++] = '-';
            value = -value;
        }
        return writeDigits(b, at, value);
    }

    /** Decimal digits of {@code value >= 0}. */
    private static int writeDigits(byte[] b, int at, long value) {
        int end = at + digitCount(value);
        int i = end;
        while (value >= 100) {
            long q = value / 100;
            int pair = (int) (value - q * 100) << 1;
            b[--i] = DIGIT_PAIRS[pair + 1];
            b[--i] = DIGIT_PAIRS[pair];
            value = q;
        }
        if (value >= 10) {
            int pair = (int) value << 1;
            b[--i] = DIGIT_PAIRS[pair + 1];
            b[--i] = DIGIT_PAIRS[pair];
        } else {
            b[--i] = (byte) ('0' + value);
        }
        return end;
    }

    private static int digitCount(long value) {
        if (value < 10_000_000_000L) {
            if (value < 100_000) {
                return value < 10 ? 1 : value < 100 ? 2 : value < 1000 ? 3 : value < 10_000 ? 4 : 5;
            }
            return value < 1_000_000 ? 6 : value < 10_000_000 ? 7 : value < 100_000_000 ? 8
                    : value < 1_000_000_000 ? 9 : 10;
        }
        int digits = 11;
        for (long v = value / 100_000_000_000L; v > 0; v /= 10) {
            digits++;
        }
        return digits;
    }

    /**
     * float8 text as PostgreSQL prints it with extra_float_digits >= 1 (see {@link FloatText}), for zeros, NaN,
     * the infinities and every value in [1e-4, 1e15) whose exact decimal expansion has at most 15 significant
     * digits (integers, halves, quarters... all the values of a typical table). Such an expansion is the shortest
     * text that reads back as the value: any other decimal of at most 15 significant digits (DBL_DIG) that reads
     * back as the same double would be the same 15-digit rounding of it, so no shorter text exists, and the
     * exponent range is the one PostgreSQL prints in fixed notation. Other values: {@link #NOT_FAST}.
     */
    public static int writeFloat8(byte[] b, int at, double value) {
        if (value != value) {
            return ascii(b, at, "NaN");
        }
        if (value == Double.POSITIVE_INFINITY) {
            return ascii(b, at, "Infinity");
        }
        if (value == Double.NEGATIVE_INFINITY) {
            return ascii(b, at, "-Infinity");
        }
        if (value == 0) {
            return ascii(b, at, 1 / value < 0 ? "-0" : "0");
        }
        double magnitude = Math.abs(value);
        if (!(magnitude >= 1e-4 && magnitude < 1e15)) {
            return NOT_FAST;
        }
        long integer = (long) magnitude; // exact: magnitude < 2^53
        double fraction = magnitude - integer; // exact: the low bits of a double
        int intDigits = integer == 0 ? 0 : digitCount(integer);
        if (fraction == 0) {
            if (value < 0) {
                b[at++] = '-';
            }
            return writeDigits(b, at, integer);
        }
        // fraction = mantissa * 2^-scale with an odd mantissa: its decimal expansion is mantissa * 5^scale with
        // exactly `scale` digits after the point, the last one a 5 (odd times odd), so none to strip.
        long bits = Double.doubleToRawLongBits(fraction);
        long mantissa = (bits & 0x000F_FFFF_FFFF_FFFFL) | 0x0010_0000_0000_0000L;
        int scale = 1075 - (int) (bits >>> 52);
        int zeros = Long.numberOfTrailingZeros(mantissa);
        mantissa >>>= zeros;
        scale -= zeros;
        if (scale > 18) {
            return NOT_FAST;
        }
        long fractionDigits = mantissa * POWERS_OF_FIVE[scale]; // < 10^scale <= 10^18
        int significant = integer == 0 ? digitCount(fractionDigits) : intDigits + scale;
        if (significant > 15) {
            return NOT_FAST;
        }
        if (value < 0) {
            b[at++] = '-';
        }
        at = writeDigits(b, at, integer);
        b[at++] = '.';
        // exactly `scale` digits: leading zeros, then the digits of fractionDigits
        int end = at + scale;
        int width = digitCount(fractionDigits);
        for (int i = at; i < end - width; i++) {
            b[i] = '0';
        }
        writeDigits(b, end - width, fractionDigits);
        return end;
    }

    /**
     * timestamp text (ISO, as {@link TimestampType#encodeText}) of microseconds since 1970-01-01 00:00:00, for
     * years 1 to 9999; {@link #NOT_FAST} for others and for {@code infinity}/{@code -infinity}.
     */
    public static int writeTimestamp(byte[] b, int at, long micros) {
        if (micros < MIN_FAST_MICROS || micros >= MAX_FAST_MICROS) {
            return NOT_FAST;
        }
        long seconds = Math.floorDiv(micros, 1_000_000L);
        long days = Math.floorDiv(seconds, 86_400L);
        // Howard Hinnant's civil_from_days: proleptic Gregorian date of a day count since 1970-01-01.
        long z = days + 719_468;
        long era = Math.floorDiv(z, 146_097);
        long dayOfEra = z - era * 146_097;
        long yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365;
        long dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100);
        long mp = (5 * dayOfYear + 2) / 153;
        int day = (int) (dayOfYear - (153 * mp + 2) / 5 + 1);
        int month = (int) (mp < 10 ? mp + 3 : mp - 9);
        int year = (int) (yearOfEra + era * 400 + (month <= 2 ? 1 : 0));
        two(b, at, year / 100);
        two(b, at + 2, year % 100);
        b[at + 4] = '-';
        two(b, at + 5, month);
        b[at + 7] = '-';
        two(b, at + 8, day);
        b[at + 10] = ' ';
        return writeTime(b, at, micros, seconds, days);
    }

    /** {@code hh:mm:ss[.ffffff]} (fraction without trailing zeros) at {@code at + 11}. */
    private static int writeTime(byte[] b, int at, long micros, long seconds, long days) {
        int fraction = (int) (micros - seconds * 1_000_000L);
        int secondOfDay = (int) (seconds - days * 86_400L);
        int hour = secondOfDay / 3600;
        int minuteOfDay = secondOfDay / 60;
        two(b, at + 11, hour);
        b[at + 13] = ':';
        two(b, at + 14, minuteOfDay - hour * 60);
        b[at + 16] = ':';
        two(b, at + 17, secondOfDay - minuteOfDay * 60);
        int end = at + 19;
        if (fraction != 0) {
            b[end] = '.';
            two(b, end + 1, fraction / 10_000);
            two(b, end + 3, fraction / 100 % 100);
            two(b, end + 5, fraction % 100);
            end += 7;
            while (b[end - 1] == '0') {
                end--;
            }
        }
        return end;
    }

    /**
     * {@link #writeTimestamp} that remembers the date text of the last day it wrote: the rows of a table
     * partitioned by time mostly follow each other within a day, so the calendar computation runs once a day.
     * One per writer thread (not thread-safe).
     */
    public static final class TimestampWriter {
        private long day = Long.MIN_VALUE;
        /** {@code YYYY-MM-DD } of {@link #day} (then the time of its midnight). */
        private final byte[] date = new byte[MAX_LENGTH];

        /** As {@link TextBytes#writeTimestamp}. */
        public int write(byte[] b, int at, long micros) {
            if (micros < MIN_FAST_MICROS || micros >= MAX_FAST_MICROS) {
                return NOT_FAST;
            }
            long seconds = Math.floorDiv(micros, 1_000_000L);
            long days = Math.floorDiv(seconds, 86_400L);
            if (days != day) {
                writeTimestamp(date, 0, days * 86_400_000_000L);
                day = days;
            }
            System.arraycopy(date, 0, b, at, 11);
            return writeTime(b, at, micros, seconds, days);
        }
    }

    /** 0001-01-01 00:00:00 and 10000-01-01 00:00:00 in microseconds since 1970. */
    private static final long MIN_FAST_MICROS = -62_135_596_800_000_000L;
    private static final long MAX_FAST_MICROS = 253_402_300_800_000_000L;

    private static void two(byte[] b, int at, int value) {
        b[at] = DIGIT_PAIRS[value << 1];
        b[at + 1] = DIGIT_PAIRS[(value << 1) + 1];
    }

    private static int ascii(byte[] b, int at, String s) {
        for (int i = 0; i < s.length(); i++) {
            b[at++] = (byte) s.charAt(i);
        }
        return at;
    }
}
