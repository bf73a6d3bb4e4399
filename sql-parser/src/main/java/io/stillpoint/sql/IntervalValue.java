package io.stillpoint.sql;

/**
 * A value of SQL type {@code interval}, held as PostgreSQL holds it: three separate fields, because a month and a
 * day have no fixed length (a month is 28 to 31 days, and the calendar decides which when the interval is added to
 * a timestamp). The parser reads literals into it ({@link IntervalText#parseInterval}); the executor uses it as the
 * Java value of its INTERVAL type.
 *
 * <p>Order and equality are PostgreSQL's: the fields are combined into one span with 30-day months and 24-hour
 * days, so {@code '1 mon' = '30 days'} and {@code '1 day' = '24 hours'} (and their hash codes agree, so GROUP BY and
 * DISTINCT see them as one value, as PostgreSQL does). {@link #toString()} is PostgreSQL's text output in the
 * default {@code IntervalStyle = postgres}: {@code 1 year 2 mons 3 days 04:05:06.5}, {@code -1 days +02:03:00}.
 *
 * @param months whole months (years are stored as 12 months)
 * @param days   whole days
 * @param micros the time part in microseconds, of either sign and any size
 */
public record IntervalValue(int months, int days, long micros) implements Comparable<IntervalValue> {

    public static final IntervalValue ZERO = new IntervalValue(0, 0, 0);

    public static final long MICROS_PER_SECOND = 1_000_000L;
    public static final long MICROS_PER_MINUTE = 60 * MICROS_PER_SECOND;
    public static final long MICROS_PER_HOUR = 60 * MICROS_PER_MINUTE;
    public static final long MICROS_PER_DAY = 24 * MICROS_PER_HOUR;
    /** The month length PostgreSQL uses wherever it must compare or cascade months into days. */
    public static final int DAYS_PER_MONTH = 30;

    /** Parses PostgreSQL interval input; see {@link IntervalText#parseInterval}. */
    public static IntervalValue parse(String text) {
        return IntervalText.parseInterval(text);
    }

    /** Whole days of the span (months as 30 days, plus whole days in the time part), rounded toward minus infinity. */
    private long spanDays() {
        return months * (long) DAYS_PER_MONTH + days + Math.floorDiv(micros, MICROS_PER_DAY);
    }

    /** The span's microseconds within its last day, 0 to one day minus one microsecond. */
    private long spanMicrosOfDay() {
        return Math.floorMod(micros, MICROS_PER_DAY);
    }

    @Override
    public int compareTo(IntervalValue o) {
        // Exact: PostgreSQL compares a 128-bit span; (days, micros of day) orders the same without overflow.
        int c = Long.compare(spanDays(), o.spanDays());
        return c != 0 ? c : Long.compare(spanMicrosOfDay(), o.spanMicrosOfDay());
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof IntervalValue o && compareTo(o) == 0;
    }

    @Override
    public int hashCode() {
        return Long.hashCode(spanDays()) * 31 + Long.hashCode(spanMicrosOfDay());
    }

    /** PostgreSQL's output in IntervalStyle {@code postgres} (its EncodeInterval, INTSTYLE_POSTGRES). */
    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder(32);
        // C division truncates toward zero, and PostgreSQL's field split relies on it: -14 months is -1 year -2 mons.
        int year = months / 12;
        int mon = months % 12;
        boolean[] state = {true, false}; // is_zero, is_before
        part(sb, year, "year", state);
        part(sb, mon, "mon", state);
        part(sb, days, "day", state);
        long hour = micros / MICROS_PER_HOUR;
        long rest = micros - hour * MICROS_PER_HOUR;
        long min = rest / MICROS_PER_MINUTE;
        rest -= min * MICROS_PER_MINUTE;
        long sec = rest / MICROS_PER_SECOND;
        long fsec = rest - sec * MICROS_PER_SECOND;
        boolean isZero = state[0];
        if (isZero || hour != 0 || min != 0 || sec != 0 || fsec != 0) {
            boolean minus = hour < 0 || min < 0 || sec < 0 || fsec < 0;
            if (!isZero) {
                sb.append(' ');
            }
            sb.append(minus ? "-" : state[1] ? "+" : "");
            two(sb, Math.abs(hour)).append(':');
            two(sb, Math.abs(min)).append(':');
            two(sb, Math.abs(sec));
            if (fsec != 0) {
                String f = Long.toString(Math.abs(fsec) + MICROS_PER_SECOND).substring(1); // six digits
                int end = f.length();
                while (f.charAt(end - 1) == '0') {
                    end--;
                }
                sb.append('.').append(f, 0, end);
            }
        }
        return sb.toString();
    }

    /** PostgreSQL's AddPostgresIntPart: each non-zero field decides whether the next one shows a '+'. */
    private static void part(StringBuilder sb, int value, String unit, boolean[] state) {
        if (value == 0) {
            return;
        }
        if (!state[0]) {
            sb.append(' ');
        }
        if (state[1] && value > 0) {
            sb.append('+');
        }
        sb.append(value).append(' ').append(unit);
        if (value != 1) {
            sb.append('s');
        }
        state[1] = value < 0;
        state[0] = false;
    }

    private static StringBuilder two(StringBuilder sb, long v) {
        if (v < 10) {
            sb.append('0');
        }
        return sb.append(v);
    }
}
