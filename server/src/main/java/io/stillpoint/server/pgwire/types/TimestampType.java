package io.stillpoint.server.pgwire.types;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.stillpoint.server.exec.SqlError;

import java.nio.charset.StandardCharsets;
import java.time.DateTimeException;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * timestamp without time zone (OID 1114). Java value: {@link Long} microseconds since 1970-01-01 00:00:00
 * (the executor's representation, UTC wall clock). Binary (integer_datetimes=on): Int64 microseconds since
 * 2000-01-01 00:00:00, with Int64 max/min for {@code infinity}/{@code -infinity}. Text: ISO style as PostgreSQL
 * prints it with DateStyle=ISO, e.g. {@code 2026-11-21 10:00:00.123456}, the fraction without trailing zeros and
 * left out when zero, years before 1 as {@code 0044-03-15 00:00:00 BC}. Input accepts {@code T} or a blank between
 * date and time, an optional time and fraction (rounded to microseconds), a time zone suffix that is ignored as
 * PostgreSQL ignores it for this type, an optional {@code BC}/{@code AD}, and {@code infinity}/{@code -infinity}/{@code epoch}.
 */
public final class TimestampType implements PgType {
    public static final TimestampType INSTANCE = new TimestampType();

    /** Microseconds between 1970-01-01 and 2000-01-01, the PostgreSQL epoch. */
    public static final long PG_EPOCH_OFFSET_MICROS = 946_684_800_000_000L;
    public static final long POSITIVE_INFINITY = Long.MAX_VALUE;
    public static final long NEGATIVE_INFINITY = Long.MIN_VALUE;

    private static final Pattern TIMESTAMP = Pattern.compile(
            "(\\d{4,})-(\\d{1,2})-(\\d{1,2})"
                    + "(?:(?:[Tt]|\\s+)(\\d{1,2}):(\\d{1,2})(?::(\\d{1,2})(?:\\.(\\d*))?)?)?"
                    + "(?:\\s*(?:[Zz]|UTC|GMT|[+-]\\d{1,2}(?::?\\d{2}){0,2}))?"
                    + "(?:\\s+(BC|AD|bc|ad))?");

    private TimestampType() {}

    @Override public int oid() { return 1114; }
    @Override public short typeLength() { return 8; }
    @Override public String typeName() { return "timestamp"; }

    @Override
    public String encodeText(Object value) {
        long micros = ((Number) value).longValue();
        if (micros == POSITIVE_INFINITY) {
            return "infinity";
        }
        if (micros == NEGATIVE_INFINITY) {
            return "-infinity";
        }
        LocalDateTime t = LocalDateTime.ofEpochSecond(Math.floorDiv(micros, 1_000_000L),
                (int) Math.floorMod(micros, 1_000_000L) * 1000, ZoneOffset.UTC);
        int year = t.getYear();
        boolean bc = year <= 0;
        StringBuilder sb = new StringBuilder(32);
        pad(sb, bc ? 1 - year : year, 4).append('-');
        pad(sb, t.getMonthValue(), 2).append('-');
        pad(sb, t.getDayOfMonth(), 2).append(' ');
        pad(sb, t.getHour(), 2).append(':');
        pad(sb, t.getMinute(), 2).append(':');
        pad(sb, t.getSecond(), 2);
        int fraction = t.getNano() / 1000;
        if (fraction != 0) {
            int digits = 6;
            while (fraction % 10 == 0) {
                fraction /= 10;
                digits--;
            }
            sb.append('.');
            pad(sb, fraction, digits);
        }
        if (bc) {
            sb.append(" BC");
        }
        return sb.toString();
    }

    private static StringBuilder pad(StringBuilder sb, int value, int width) {
        String s = Integer.toString(value);
        for (int i = s.length(); i < width; i++) {
            sb.append('0');
        }
        return sb.append(s);
    }

    /**
     * Same text as {@link #encodeText}, written byte by byte for years 1..9999 (the common case in result sets),
     * with the civil-from-days computation instead of a LocalDateTime and a String per value.
     */
    @Override
    public void writeText(ByteBuf out, Object value) {
        long micros = ((Number) value).longValue();
        if (micros < MIN_FAST_MICROS || micros >= MAX_FAST_MICROS) {
            ByteBufUtil.writeAscii(out, encodeText(value));
            return;
        }
        long seconds = Math.floorDiv(micros, 1_000_000L);
        int fraction = (int) Math.floorMod(micros, 1_000_000L);
        long days = Math.floorDiv(seconds, 86_400L);
        int secondOfDay = (int) Math.floorMod(seconds, 86_400L);
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
        byte[] b = new byte[26];
        digits(b, 0, year, 4);
        b[4] = '-';
        digits(b, 5, month, 2);
        b[7] = '-';
        digits(b, 8, day, 2);
        b[10] = ' ';
        digits(b, 11, secondOfDay / 3600, 2);
        b[13] = ':';
        digits(b, 14, secondOfDay / 60 % 60, 2);
        b[16] = ':';
        digits(b, 17, secondOfDay % 60, 2);
        int length = 19;
        if (fraction != 0) {
            b[19] = '.';
            digits(b, 20, fraction, 6);
            length = 26;
            while (b[length - 1] == '0') {
                length--;
            }
        }
        out.writeBytes(b, 0, length);
    }

    /** 0001-01-01 00:00:00 and 10000-01-01 00:00:00 in microseconds since 1970. */
    private static final long MIN_FAST_MICROS = -62_135_596_800_000_000L;
    private static final long MAX_FAST_MICROS = 253_402_300_800_000_000L;

    private static void digits(byte[] b, int at, int value, int width) {
        for (int i = at + width - 1; i >= at; i--) {
            b[i] = (byte) ('0' + value % 10);
            value /= 10;
        }
    }

    @Override
    public void writeBinary(ByteBuf out, Object value) {
        long micros = ((Number) value).longValue();
        if (micros == POSITIVE_INFINITY || micros == NEGATIVE_INFINITY) {
            out.writeLong(micros);
        } else {
            out.writeLong(micros - PG_EPOCH_OFFSET_MICROS);
        }
    }

    /** Straight from the Bind message's bytes: the common form without building a String first. */
    @Override
    public Object decodeText(byte[] bytes, int offset, int length) {
        long fast = decodeCommonForm(bytes, offset, length);
        if (fast != NOT_COMMON_FORM) {
            return fast;
        }
        return decodeGeneral(new String(bytes, offset, length, StandardCharsets.UTF_8));
    }

    @Override
    public Object decodeText(String text) {
        if (text.length() >= 19 && text.length() <= 40) {
            // Non-Latin-1 characters become '?', which the common form never accepts.
            byte[] latin1 = text.getBytes(StandardCharsets.ISO_8859_1);
            long fast = decodeCommonForm(latin1, 0, latin1.length);
            if (fast != NOT_COMMON_FORM) {
                return fast;
            }
        }
        return decodeGeneral(text);
    }

    /** Every accepted form (special words, BC, fractions of any length), through the regular expression. */
    private static Object decodeGeneral(String text) {
        String s = text.strip();
        switch (s.toLowerCase(Locale.ROOT)) {
            case "infinity": case "+infinity": return POSITIVE_INFINITY;
            case "-infinity": return NEGATIVE_INFINITY;
            case "epoch": return 0L;
            default: break;
        }
        Matcher m = TIMESTAMP.matcher(s);
        if (!m.matches()) {
            throw new SqlError("22007", "invalid input syntax for type timestamp [value=" + text + "]");
        }
        try {
            int year = Integer.parseInt(m.group(1));
            if (m.group(8) != null && m.group(8).equalsIgnoreCase("BC")) {
                year = 1 - year;
            }
            LocalDate date = LocalDate.of(year, Integer.parseInt(m.group(2)), Integer.parseInt(m.group(3)));
            int hour = m.group(4) == null ? 0 : Integer.parseInt(m.group(4));
            int minute = m.group(5) == null ? 0 : Integer.parseInt(m.group(5));
            int second = m.group(6) == null ? 0 : Integer.parseInt(m.group(6));
            long fractionMicros = fractionMicros(m.group(7));
            if (hour > 24 || minute > 59 || second > 60 || (hour == 24 && (minute > 0 || second > 0 || fractionMicros > 0))) {
                throw new DateTimeException("time out of range");
            }
            long seconds = Math.addExact(Math.multiplyExact(date.toEpochDay(), 86_400L),
                    hour * 3600L + minute * 60L + second);
            return Math.addExact(Math.multiplyExact(seconds, 1_000_000L), fractionMicros);
        } catch (DateTimeException | ArithmeticException | NumberFormatException e) {
            throw new SqlError("22008", "timestamp out of range [value=" + text + "]");
        }
    }

    private static final long NOT_COMMON_FORM = Long.MIN_VALUE + 1;

    /**
     * The form clients send for nearly every parameter ({@code 2026-11-21 10:00:00[.ffffff][+00[:00]]}, or with
     * {@code T}, or {@code Z}), parsed without a regular expression: this runs once per row of a bulk insert.
     * Returns {@link #NOT_COMMON_FORM} for anything else, which the general parser then takes.
     */
    private static long decodeCommonForm(byte[] b, int off, int n) {
        if (n < 19 || b[off + 4] != '-' || b[off + 7] != '-' || (b[off + 10] != ' ' && b[off + 10] != 'T')
                || b[off + 13] != ':' || b[off + 16] != ':') {
            return NOT_COMMON_FORM;
        }
        int year = digits(b, off, 4);
        int month = digits(b, off + 5, 2);
        int day = digits(b, off + 8, 2);
        int hour = digits(b, off + 11, 2);
        int minute = digits(b, off + 14, 2);
        int second = digits(b, off + 17, 2);
        if ((year | month | day | hour | minute | second) < 0 || year == 0 || month < 1 || month > 12 || day < 1
                || day > 28 && day > daysInMonth(year, month) || hour > 23 || minute > 59 || second > 59) {
            return NOT_COMMON_FORM;
        }
        int i = 19;
        long fraction = 0;
        if (i < n && b[off + i] == '.') {
            int start = ++i;
            while (i < n && b[off + i] >= '0' && b[off + i] <= '9') {
                i++;
            }
            if (i == start || i - start > 6) {
                return NOT_COMMON_FORM; // rounding of longer fractions: the general parser
            }
            fraction = digits(b, off + start, i - start);
            for (int k = i - start; k < 6; k++) {
                fraction *= 10;
            }
        }
        if (i < n) {
            // A zone suffix, ignored for timestamp without time zone as PostgreSQL ignores it.
            byte c = b[off + i];
            boolean zone = (c == 'Z' && i + 1 == n)
                    || ((c == '+' || c == '-') && (n - i == 3 && digits(b, off + i + 1, 2) >= 0
                        || n - i == 6 && b[off + i + 3] == ':' && digits(b, off + i + 1, 2) >= 0
                            && digits(b, off + i + 4, 2) >= 0));
            if (!zone) {
                return NOT_COMMON_FORM;
            }
        }
        long days = epochDay(year, month, day);
        return (days * 86_400L + hour * 3600L + minute * 60L + second) * 1_000_000L + fraction;
    }

    private static int daysInMonth(int year, int month) {
        if (month == 2) {
            return (year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)) ? 29 : 28;
        }
        return month == 4 || month == 6 || month == 9 || month == 11 ? 30 : 31;
    }

    /** Days since 1970-01-01 of a valid proleptic Gregorian date (year 1 to 9999), as LocalDate.toEpochDay. */
    static long epochDay(int year, int month, int day) {
        // Howard Hinnant's days_from_civil: years start in March, so the leap day is the last day of a year.
        int y = month <= 2 ? year - 1 : year;
        int era = y / 400; // y >= 0 here
        int yearOfEra = y - era * 400;
        int dayOfYear = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1;
        int dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear;
        return era * 146_097L + dayOfEra - 719_468L;
    }

    /** The value of {@code count} decimal digits at {@code from}, or -1 if any is not a digit. */
    private static int digits(byte[] b, int from, int count) {
        int v = 0;
        for (int i = from; i < from + count; i++) {
            int c = b[i];
            if (c < '0' || c > '9') {
                return -1;
            }
            v = v * 10 + (c - '0');
        }
        return v;
    }

    /** The fraction digits rounded half-up to microseconds (may be 1_000_000 after rounding .9999995). */
    private static long fractionMicros(String digits) {
        if (digits == null || digits.isEmpty()) {
            return 0;
        }
        long micros = 0;
        for (int i = 0; i < 6; i++) {
            micros = micros * 10 + (i < digits.length() ? digits.charAt(i) - '0' : 0);
        }
        if (digits.length() > 6 && digits.charAt(6) >= '5') {
            micros++;
        }
        return micros;
    }

    @Override
    public Object decodeBinary(byte[] bytes, int offset, int length) {
        TypeErrors.expectLength(typeName(), length, 8);
        long pg = TypeErrors.int64(bytes, offset);
        if (pg == POSITIVE_INFINITY || pg == NEGATIVE_INFINITY) {
            return pg;
        }
        try {
            return Math.addExact(pg, PG_EPOCH_OFFSET_MICROS);
        } catch (ArithmeticException e) {
            throw new SqlError("22008", "timestamp out of range [value=" + pg + "]");
        }
    }
}
