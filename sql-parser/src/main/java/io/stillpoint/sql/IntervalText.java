package io.stillpoint.sql;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Duration;
import java.util.Locale;

/**
 * Reads a time span written the way PostgreSQL accepts an interval literal, for {@code CHECKPOINT CREATE LEASE
 * '<interval>'} and the server's {@code --checkpoint-lease} option: one or more {@code <number> <unit>} pairs, with
 * or without a space between number and unit ({@code '30 minutes'}, {@code '1 hour 30 minutes'}, {@code '90s'},
 * {@code '1h30m'}, {@code '1.5 hours'}), or {@code [h]h:mm[:ss]} ({@code '01:30:00'}). Units, singular or plural,
 * any case: ms/msec/millisecond, s/sec/second, m/min/minute, h/hr/hour, d/day, w/week. A leading sign is allowed on
 * each number; a bare number is seconds. Months and years are refused: their length is not fixed, and a lease needs an exact length.
 *
 * <p>The result may be zero or negative; whether that is allowed is the caller's business.
 *
 * <p>{@link #parseInterval} reads the SQL type {@code interval} the way PostgreSQL's interval input does, into an
 * {@link IntervalValue} (months, days, microseconds): {@code <number> <unit>} lists whose units include months and
 * years, each number with its own sign, an optional {@code @} prefix and {@code ago} suffix, a time field
 * {@code [-]h:mm[:ss[.ffffff]]} (an unlabelled whole number before it is days, as in {@code '1 12:00'}), the SQL
 * standard year-month {@code '1-2'} (1 year 2 mons), and the
 * ISO 8601 form {@code P1Y2M3W4DT5H6M7.5S}.
 */
public final class IntervalText {

    /** The longest span accepted (100 years of days): beyond it a lease is no lease, and the arithmetic overflows. */
    public static final Duration MAX = Duration.ofDays(36_500);

    /** The text is an interval, but longer than {@link #MAX}. */
    public static final class OutOfRange extends IllegalArgumentException {
        OutOfRange(String message) {
            super(message);
        }
    }

    private IntervalText() {
    }

    /**
     * Parses {@code text}.
     *
     * @throws IllegalArgumentException with a message in the project's style if it is not an interval;
     *                                  {@link OutOfRange} if its magnitude is above {@link #MAX}
     */
    public static Duration parse(String text) {
        String t = text.trim().toLowerCase(Locale.ROOT);
        if (t.isEmpty()) {
            throw invalid(text);
        }
        if (t.indexOf(':') >= 0) {
            return clock(text, t);
        }
        BigDecimal nanos = BigDecimal.ZERO;
        int i = 0;
        int n = t.length();
        while (i < n) {
            while (i < n && Character.isWhitespace(t.charAt(i))) {
                i++;
            }
            if (i == n) {
                break;
            }
            int numberStart = i;
            if (t.charAt(i) == '+' || t.charAt(i) == '-') {
                i++;
            }
            int digitsStart = i;
            while (i < n && (isDigit(t.charAt(i)) || t.charAt(i) == '.')) {
                i++;
            }
            if (i == digitsStart || i - digitsStart > 30) {
                throw invalid(text);
            }
            BigDecimal amount;
            try {
                amount = new BigDecimal(t.substring(numberStart, i));
            } catch (NumberFormatException e) {
                throw invalid(text);
            }
            while (i < n && Character.isWhitespace(t.charAt(i))) {
                i++;
            }
            int unitStart = i;
            while (i < n && Character.isLetter(t.charAt(i))) {
                i++;
            }
            long unitNanos = unitNanos(t.substring(unitStart, i));
            if (unitNanos < 0) {
                throw invalid(text);
            }
            nanos = nanos.add(amount.multiply(BigDecimal.valueOf(unitNanos)));
        }
        return checked(text, nanos);
    }

    /**
     * The text is interval syntax, but a field does not fit: months or days beyond a 32-bit integer, or the time
     * beyond 64-bit microseconds, or minutes or seconds of a time field above 59 (PostgreSQL's 22015).
     */
    public static final class FieldOutOfRange extends IllegalArgumentException {
        FieldOutOfRange(String text) {
            super("interval field value out of range [value=" + text + "]");
        }
    }

    /**
     * Parses {@code text} as PostgreSQL's interval input does (IntervalStyle postgres), e.g. {@code '1 day'},
     * {@code '2 hours 30 minutes'}, {@code '1h30m'}, {@code '-1 day +02:00'}, {@code '1 year 2 mons'},
     * {@code '1.5 months'} (fractions cascade into smaller fields with 30-day months), {@code '3 days ago'},
     * {@code '00:00:00.5'}, {@code 'P1DT2H'}. Units, singular or plural, any case: microsecond/us/usec,
     * millisecond/ms/msec, second/s/sec, minute/m/min, hour/h/hr, day/d, week/w, month/mon, year/y/yr, decade,
     * century, millennium. A bare number is seconds.
     *
     * @throws IllegalArgumentException {@code invalid input syntax for type interval [value=...]} if it is not an
     *                                  interval; {@link FieldOutOfRange} if a field overflows
     */
    public static IntervalValue parseInterval(String text) {
        String t = text.trim().toLowerCase(Locale.ROOT);
        if (t.startsWith("@")) {
            t = t.substring(1).trim();
        }
        if (t.isEmpty()) {
            throw invalidInterval(text);
        }
        Fields f = new Fields(text);
        if (t.charAt(0) == 'p') {
            iso8601(text, t, f);
            return f.result(false);
        }
        int i = 0;
        int n = t.length();
        boolean ago = false;
        while (true) {
            while (i < n && Character.isWhitespace(t.charAt(i))) {
                i++;
            }
            if (i == n) {
                break;
            }
            if (ago) {
                throw invalidInterval(text); // nothing may follow "ago"
            }
            if (t.startsWith("ago", i) && (i + 3 == n || Character.isWhitespace(t.charAt(i + 3)))) {
                ago = true;
                i += 3;
                continue;
            }
            int start = i;
            if (t.charAt(i) == '+' || t.charAt(i) == '-') {
                i++;
            }
            int digitsStart = i;
            while (i < n && (isDigit(t.charAt(i)) || t.charAt(i) == '.')) {
                i++;
            }
            if (i == digitsStart) {
                throw invalidInterval(text);
            }
            if (i < n && t.charAt(i) == ':') {
                while (i < n && (isDigit(t.charAt(i)) || t.charAt(i) == ':' || t.charAt(i) == '.')) {
                    i++;
                }
                f.time(t.substring(start, i));
                continue;
            }
            BigDecimal amount = number(text, t.substring(start, i));
            if (i < n && t.charAt(i) == '-') {
                // SQL standard year-month: '1-2' is 1 year 2 mons, the sign applying to both.
                int monthsStart = ++i;
                while (i < n && isDigit(t.charAt(i))) {
                    i++;
                }
                if (i == monthsStart || amount.scale() > 0 || i < n && !Character.isWhitespace(t.charAt(i))
                        || Integer.parseInt(t.substring(monthsStart, Math.min(i, monthsStart + 3))) > 11) {
                    throw invalidInterval(text);
                }
                BigDecimal months = new BigDecimal(t.substring(monthsStart, i));
                f.add(amount, Unit.YEAR);
                f.add(amount.signum() < 0 || t.charAt(start) == '-' ? months.negate() : months, Unit.MONTH);
                continue;
            }
            while (i < n && Character.isWhitespace(t.charAt(i))) {
                i++;
            }
            int unitStart = i;
            while (i < n && Character.isLetter(t.charAt(i))) {
                i++;
            }
            String unit = t.substring(unitStart, i);
            if (unit.isEmpty() || unit.equals("ago")) {
                // An unlabelled whole number right before a time field is days ('1 12:00'), otherwise seconds.
                boolean days = unit.isEmpty() && amount.scale() <= 0 && timeFieldAt(t, i);
                f.add(amount, days ? Unit.DAY : Unit.SECOND);
                ago = unit.equals("ago");
                continue;
            }
            Unit u = Unit.of(unit);
            if (u == null) {
                throw invalidInterval(text);
            }
            f.add(amount, u);
        }
        if (!f.any) {
            throw invalidInterval(text);
        }
        return f.result(ago);
    }

    /** ISO 8601 with designators: {@code P[nY][nM][nW][nD][T[nH][nM][nS]]}, each number signed and fractional. */
    private static void iso8601(String text, String t, Fields f) {
        int i = 1;
        int n = t.length();
        boolean time = false;
        while (i < n) {
            if (t.charAt(i) == 't' && !time) {
                time = true;
                i++;
                if (i == n) {
                    throw invalidInterval(text);
                }
                continue;
            }
            int start = i;
            if (t.charAt(i) == '+' || t.charAt(i) == '-') {
                i++;
            }
            while (i < n && (isDigit(t.charAt(i)) || t.charAt(i) == '.')) {
                i++;
            }
            if (i == n || i == start) {
                throw invalidInterval(text);
            }
            BigDecimal amount = number(text, t.substring(start, i));
            char designator = t.charAt(i++);
            Unit u = switch (designator) {
                case 'y' -> time ? null : Unit.YEAR;
                case 'm' -> time ? Unit.MINUTE : Unit.MONTH;
                case 'w' -> time ? null : Unit.WEEK;
                case 'd' -> time ? null : Unit.DAY;
                case 'h' -> time ? Unit.HOUR : null;
                case 's' -> time ? Unit.SECOND : null;
                default -> null;
            };
            if (u == null) {
                throw invalidInterval(text);
            }
            f.add(amount, u);
        }
        if (!f.any) {
            throw invalidInterval(text);
        }
    }

    /** Whether {@code [sign]digits:} starts at {@code i}. */
    private static boolean timeFieldAt(String t, int i) {
        int n = t.length();
        if (i < n && (t.charAt(i) == '+' || t.charAt(i) == '-')) {
            i++;
        }
        int digits = i;
        while (i < n && isDigit(t.charAt(i))) {
            i++;
        }
        return i > digits && i < n && t.charAt(i) == ':';
    }

    private static BigDecimal number(String text, String s) {
        if (s.length() > 40) {
            throw new FieldOutOfRange(text);
        }
        try {
            return new BigDecimal(s);
        } catch (NumberFormatException e) {
            throw invalidInterval(text);
        }
    }

    /** The units of interval input; each adds to one field, with fractions cascading as in PostgreSQL. */
    private enum Unit {
        MICROSECOND(1), MILLISECOND(1_000), SECOND(1_000_000), MINUTE(60_000_000L), HOUR(3_600_000_000L),
        DAY(1), WEEK(7), MONTH(1), YEAR(12), DECADE(120), CENTURY(1_200), MILLENNIUM(12_000);

        /** Microseconds, days or months per unit, depending on the field the unit adds to. */
        final long factor;

        Unit(long factor) {
            this.factor = factor;
        }

        static Unit of(String word) {
            return switch (word) {
                case "us", "usec", "usecs", "microsecond", "microseconds", "microsecon" -> MICROSECOND;
                case "ms", "msec", "msecs", "millisecond", "milliseconds", "millisecon" -> MILLISECOND;
                case "s", "sec", "secs", "second", "seconds" -> SECOND;
                case "m", "min", "mins", "minute", "minutes" -> MINUTE;
                case "h", "hr", "hrs", "hour", "hours" -> HOUR;
                case "d", "day", "days" -> DAY;
                case "w", "week", "weeks" -> WEEK;
                case "mon", "mons", "month", "months" -> MONTH;
                case "y", "yr", "yrs", "year", "years" -> YEAR;
                case "dec", "decs", "decade", "decades" -> DECADE;
                case "c", "cent", "century", "centuries" -> CENTURY;
                case "mil", "mils", "millennium", "millennia", "millenniums" -> MILLENNIUM;
                default -> null;
            };
        }
    }

    /** The three fields being summed, kept wide so that overflow is found once, at the end. */
    private static final class Fields {
        private static final BigDecimal MICROS_PER_DAY = BigDecimal.valueOf(IntervalValue.MICROS_PER_DAY);
        private static final BigDecimal DAYS_PER_MONTH = BigDecimal.valueOf(IntervalValue.DAYS_PER_MONTH);

        final String text;
        BigDecimal months = BigDecimal.ZERO;
        BigDecimal days = BigDecimal.ZERO;
        BigDecimal micros = BigDecimal.ZERO;
        boolean any;

        Fields(String text) {
            this.text = text;
        }

        void add(BigDecimal amount, Unit u) {
            any = true;
            BigDecimal total = amount.multiply(BigDecimal.valueOf(u.factor));
            switch (u) {
                case MICROSECOND, MILLISECOND, SECOND, MINUTE, HOUR ->
                        // PostgreSQL rounds a fractional microsecond to nearest, an exact half toward zero.
                        micros = micros.add(total.setScale(0, RoundingMode.HALF_DOWN));
                case DAY, WEEK -> {
                    BigDecimal whole = total.setScale(0, RoundingMode.DOWN);
                    days = days.add(whole);
                    micros = micros.add(total.subtract(whole).multiply(MICROS_PER_DAY)
                            .setScale(0, RoundingMode.HALF_DOWN));
                }
                case MONTH -> {
                    BigDecimal whole = total.setScale(0, RoundingMode.DOWN);
                    months = months.add(whole);
                    BigDecimal fractionDays = total.subtract(whole).multiply(DAYS_PER_MONTH);
                    BigDecimal wholeDays = fractionDays.setScale(0, RoundingMode.DOWN);
                    days = days.add(wholeDays);
                    micros = micros.add(fractionDays.subtract(wholeDays).multiply(MICROS_PER_DAY)
                            .setScale(0, RoundingMode.HALF_DOWN));
                }
                default -> // years and longer: fractions round to whole months (PostgreSQL's rint)
                        months = months.add(total.setScale(0, RoundingMode.HALF_EVEN));
            }
        }

        /** {@code [sign]h:mm[:ss[.f]]}, or {@code [sign]m:ss.f}. */
        void time(String field) {
            any = true;
            boolean negative = field.startsWith("-");
            String body = negative || field.startsWith("+") ? field.substring(1) : field;
            String[] parts = body.split(":", -1);
            if (parts.length < 2 || parts.length > 3) {
                throw invalidInterval(text);
            }
            String hours;
            String minutes;
            String seconds;
            if (parts.length == 2 && parts[1].indexOf('.') >= 0) {
                hours = "0";
                minutes = parts[0];
                seconds = parts[1];
            } else {
                hours = parts[0];
                minutes = parts[1];
                seconds = parts.length == 3 ? parts[2] : "0";
            }
            if (!wholeNumber(hours) || !wholeNumber(minutes) || minutes.length() > 2 || !decimal(seconds)) {
                throw invalidInterval(text);
            }
            BigDecimal m = new BigDecimal(minutes);
            BigDecimal s = number(text, seconds);
            if (m.intValue() > 59 || s.compareTo(BigDecimal.valueOf(60)) > 0 || hours.length() > 18) {
                throw new FieldOutOfRange(text);
            }
            BigDecimal value = new BigDecimal(hours).multiply(BigDecimal.valueOf(IntervalValue.MICROS_PER_HOUR))
                    .add(m.multiply(BigDecimal.valueOf(IntervalValue.MICROS_PER_MINUTE)))
                    .add(s.multiply(BigDecimal.valueOf(IntervalValue.MICROS_PER_SECOND))
                            .setScale(0, RoundingMode.HALF_EVEN));
            micros = micros.add(negative ? value.negate() : value);
        }

        IntervalValue result(boolean negate) {
            try {
                int mo = months.intValueExact();
                int d = days.intValueExact();
                long us = micros.longValueExact();
                return negate ? new IntervalValue(Math.negateExact(mo), Math.negateExact(d), Math.negateExact(us))
                        : new IntervalValue(mo, d, us);
            } catch (ArithmeticException e) {
                throw new FieldOutOfRange(text);
            }
        }
    }

    private static boolean wholeNumber(String s) {
        return !s.isEmpty() && s.chars().allMatch(IntervalText::isDigit);
    }

    private static boolean decimal(String s) {
        int dot = s.indexOf('.');
        return dot < 0 ? wholeNumber(s) : wholeNumber(s.substring(0, dot))
                && (dot == s.length() - 1 || wholeNumber(s.substring(dot + 1)));
    }

    private static IllegalArgumentException invalidInterval(String text) {
        return new IllegalArgumentException("invalid input syntax for type interval [value=" + text + "]");
    }

    /** {@code [-]h:mm[:ss[.fraction]]}. */
    private static Duration clock(String text, String t) {
        boolean negative = t.startsWith("-");
        String body = negative || t.startsWith("+") ? t.substring(1) : t;
        String[] parts = body.split(":", -1);
        if (parts.length < 2 || parts.length > 3) {
            throw invalid(text);
        }
        try {
            if (!parts[0].chars().allMatch(IntervalText::isDigit) || !parts[1].chars().allMatch(IntervalText::isDigit)
                    || parts[0].isEmpty() || parts[0].length() > 9 || parts[1].length() != 2) {
                throw invalid(text);
            }
            BigDecimal hours = new BigDecimal(parts[0]);
            BigDecimal minutes = new BigDecimal(parts[1]);
            BigDecimal seconds = BigDecimal.ZERO;
            if (parts.length == 3) {
                String s = parts[2];
                if (s.length() < 2 || !isDigit(s.charAt(0)) || !isDigit(s.charAt(1))
                        || (s.length() > 2 && (s.charAt(2) != '.' || s.length() > 12))) {
                    throw invalid(text);
                }
                seconds = new BigDecimal(s);
            }
            if (minutes.intValue() > 59 || seconds.compareTo(BigDecimal.valueOf(60)) >= 0) {
                throw invalid(text);
            }
            BigDecimal nanos = hours.multiply(BigDecimal.valueOf(3_600_000_000_000L))
                    .add(minutes.multiply(BigDecimal.valueOf(60_000_000_000L)))
                    .add(seconds.multiply(BigDecimal.valueOf(1_000_000_000L)));
            return checked(text, negative ? nanos.negate() : nanos);
        } catch (NumberFormatException e) {
            throw invalid(text);
        }
    }

    private static Duration checked(String text, BigDecimal nanos) {
        BigDecimal whole = nanos.setScale(0, RoundingMode.HALF_UP);
        if (whole.abs().compareTo(BigDecimal.valueOf(MAX.toNanos())) > 0) {
            throw new OutOfRange("interval out of range [value=" + text + ", max=" + MAX.toDays()
                    + " days]");
        }
        return Duration.ofNanos(whole.longValueExact());
    }

    /** Nanoseconds per unit, or -1 for a word that is not a fixed-length unit. A bare number is seconds, as in PostgreSQL. */
    private static long unitNanos(String unit) {
        return switch (unit) {
            case "" -> 1_000_000_000L;
            case "ms", "msec", "msecs", "millisecond", "milliseconds" -> 1_000_000L;
            case "s", "sec", "secs", "second", "seconds" -> 1_000_000_000L;
            case "m", "min", "mins", "minute", "minutes" -> 60_000_000_000L;
            case "h", "hr", "hrs", "hour", "hours" -> 3_600_000_000_000L;
            case "d", "day", "days" -> 86_400_000_000_000L;
            case "w", "week", "weeks" -> 7 * 86_400_000_000_000L;
            default -> -1;
        };
    }

    private static boolean isDigit(int c) {
        return c >= '0' && c <= '9';
    }

    private static IllegalArgumentException invalid(String text) {
        return new IllegalArgumentException("invalid input syntax for type interval [value=" + text
                + ", expected=e.g. '30 minutes', '2 hours', '1 day', '1 hour 30 minutes']");
    }
}
