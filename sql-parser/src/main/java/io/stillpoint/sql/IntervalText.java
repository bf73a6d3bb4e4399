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
