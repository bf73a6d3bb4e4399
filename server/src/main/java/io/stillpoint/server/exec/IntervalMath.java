package io.stillpoint.server.exec;

import io.stillpoint.sql.IntervalValue;
import io.stillpoint.sql.ast.Expr.BinaryOp;

import java.time.DateTimeException;
import java.time.LocalDate;

/**
 * Arithmetic on timestamps and intervals, as PostgreSQL does it, for both evaluators ({@link ExprCompiler}'s and
 * {@link RowQuery}'s): which operator applies to which operand types ({@link #signature}), and the operations
 * themselves. Timestamps are UTC wall clock (no time zone, so no daylight saving), in microseconds since 1970.
 *
 * <ul>
 *   <li>timestamp ± interval: months first, as calendar months (the day clamped to the month's end: Jan 31 +
 *       1 mon is Feb 28 or 29), then days, then microseconds (PostgreSQL's timestamp_pl_interval).</li>
 *   <li>timestamp − timestamp: days and microseconds, whole 24-hour spans moved into days (justify_hours).</li>
 *   <li>interval ± interval field by field, −interval, interval × / number with PostgreSQL's cascade of fractional
 *       months and days into smaller fields (30-day months).</li>
 * </ul>
 * Overflow is 22008: {@code timestamp out of range} or {@code interval out of range}. NULL in gives NULL out.
 */
final class IntervalMath {

    private IntervalMath() {}

    private static final long DAY = IntervalValue.MICROS_PER_DAY;
    private static final double SECS_PER_DAY = 86_400.0;
    /** PostgreSQL's lowest timestamp (4714-11-24 00:00:00 BC), in microseconds since 1970. */
    static final long MIN_TIMESTAMP = -210_866_803_200_000_000L;

    /** An operator's operand types (what untyped operands are cast to) and result type. */
    record Signature(DataType left, DataType right, DataType result) {}

    /**
     * The timestamp/interval operator {@code op} stands for between operands of these types, or null if neither is
     * a timestamp or an interval or no such operator exists (the caller then reports its usual error). An untyped
     * operand (a string literal, NULL, a text parameter) takes the type PostgreSQL would resolve it to:
     * {@code ts + '1 day'} is timestamp + interval, {@code ts - '2026-01-01'} timestamp − timestamp.
     */
    static Signature signature(BinaryOp op, DataType l, DataType r, boolean leftUntyped, boolean rightUntyped) {
        DataType ts = DataType.TIMESTAMP;
        DataType iv = DataType.INTERVAL;
        if (!(l == ts || l == iv || r == ts || r == iv) || leftUntyped && rightUntyped) {
            return null;
        }
        if (leftUntyped) {
            l = switch (op) {
                case ADD -> iv;
                case SUBTRACT -> r;
                case MULTIPLY -> r == iv ? DataType.FLOAT8 : null;
                default -> null;
            };
        } else if (rightUntyped) {
            r = switch (op) {
                case ADD -> iv;
                case SUBTRACT -> l;
                case MULTIPLY, DIVIDE -> l == iv ? DataType.FLOAT8 : null;
                default -> null;
            };
        }
        if (l == null || r == null) {
            return null;
        }
        switch (op) {
            case ADD:
                if (l == ts && r == iv || l == iv && r == ts) {
                    return new Signature(l, r, ts);
                }
                if (l == iv && r == iv) {
                    return new Signature(l, r, iv);
                }
                return null;
            case SUBTRACT:
                if (l == ts && r == iv) {
                    return new Signature(l, r, ts);
                }
                if (l == ts && r == ts || l == iv && r == iv) {
                    return new Signature(l, r, iv);
                }
                return null;
            case MULTIPLY:
                if (l == iv && Values.isNumeric(r) || Values.isNumeric(l) && r == iv) {
                    return new Signature(l, r, iv);
                }
                return null;
            case DIVIDE:
                if (l == iv && Values.isNumeric(r)) {
                    return new Signature(l, r, iv);
                }
                return null;
            default:
                return null;
        }
    }

    /** Applies {@code op} to non-null operands of the types of {@code s} (text operands are parsed first). */
    static Object apply(BinaryOp op, Signature s, Object a, Object b) {
        if (a == null || b == null) {
            return null;
        }
        DataType ts = DataType.TIMESTAMP;
        DataType iv = DataType.INTERVAL;
        switch (op) {
            case ADD:
                if (s.left() == ts) {
                    return plus(timestamp(a), interval(b), false);
                }
                if (s.right() == ts) {
                    return plus(timestamp(b), interval(a), false);
                }
                return add(interval(a), interval(b), false);
            case SUBTRACT:
                if (s.left() == ts && s.right() == iv) {
                    return plus(timestamp(a), interval(b), true);
                }
                if (s.left() == ts) {
                    return difference(timestamp(a), timestamp(b));
                }
                return add(interval(a), interval(b), true);
            case MULTIPLY:
                return s.left() == iv ? multiply(interval(a), factor(b)) : multiply(interval(b), factor(a));
            case DIVIDE:
                return divide(interval(a), factor(b));
            default:
                throw new IllegalStateException("not an interval operator: " + op);
        }
    }

    private static long timestamp(Object v) {
        return v instanceof String s ? Values.parseTimestamp(s) : ((Number) v).longValue();
    }

    private static IntervalValue interval(Object v) {
        return v instanceof String s ? Values.parseInterval(s) : (IntervalValue) v;
    }

    private static double factor(Object v) {
        return v instanceof String s ? Values.parseDouble(s, DataType.FLOAT8) : ((Number) v).doubleValue();
    }

    static SqlError timestampOutOfRange() {
        return new SqlError("22008", "timestamp out of range");
    }

    static SqlError intervalOutOfRange() {
        return new SqlError("22008", "interval out of range");
    }

    /** {@code ts + span}, or {@code ts - span}: calendar months, then days, then microseconds. */
    static long plus(long ts, IntervalValue span, boolean minus) {
        if (ts == Long.MAX_VALUE || ts == Long.MIN_VALUE) {
            return ts; // infinity stays infinity, as in PostgreSQL
        }
        long sign = minus ? -1 : 1;
        try {
            long result = ts;
            if (span.months() != 0) {
                long day = Math.floorDiv(result, DAY);
                long timeOfDay = Math.floorMod(result, DAY);
                // plusMonths keeps the day of month unless the month is shorter: then its last day, as PostgreSQL.
                LocalDate date = LocalDate.ofEpochDay(day).plusMonths(sign * span.months());
                result = Math.addExact(Math.multiplyExact(date.toEpochDay(), DAY), timeOfDay);
            }
            if (span.days() != 0) {
                result = Math.addExact(result, Math.multiplyExact(sign * span.days(), DAY));
            }
            result = minus ? Math.subtractExact(result, span.micros()) : Math.addExact(result, span.micros());
            if (result < MIN_TIMESTAMP || result == Long.MAX_VALUE) {
                throw timestampOutOfRange();
            }
            return result;
        } catch (ArithmeticException | DateTimeException e) {
            throw timestampOutOfRange();
        }
    }

    /** {@code a - b} as days and microseconds, whole days of the difference moved into the day field. */
    static IntervalValue difference(long a, long b) {
        if (a == Long.MAX_VALUE || a == Long.MIN_VALUE || b == Long.MAX_VALUE || b == Long.MIN_VALUE) {
            throw new SqlError("22008", "cannot subtract infinite timestamps");
        }
        long micros;
        try {
            micros = Math.subtractExact(a, b);
        } catch (ArithmeticException e) {
            throw intervalOutOfRange();
        }
        // Truncating division keeps both fields of one sign: -25 hours is -1 days -01:00:00.
        long days = micros / DAY;
        return new IntervalValue(0, (int) days, micros - days * DAY);
    }

    /** {@code a + b} or {@code a - b}, field by field. */
    static IntervalValue add(IntervalValue a, IntervalValue b, boolean minus) {
        try {
            return minus
                    ? new IntervalValue(Math.subtractExact(a.months(), b.months()),
                            Math.subtractExact(a.days(), b.days()), Math.subtractExact(a.micros(), b.micros()))
                    : new IntervalValue(Math.addExact(a.months(), b.months()), Math.addExact(a.days(), b.days()),
                            Math.addExact(a.micros(), b.micros()));
        } catch (ArithmeticException e) {
            throw intervalOutOfRange();
        }
    }

    static IntervalValue negate(IntervalValue a) {
        try {
            return new IntervalValue(Math.negateExact(a.months()), Math.negateExact(a.days()),
                    Math.negateExact(a.micros()));
        } catch (ArithmeticException e) {
            throw intervalOutOfRange();
        }
    }

    /** PostgreSQL's interval_mul: each field times the factor, fractions cascading down (months as 30 days). */
    static IntervalValue multiply(IntervalValue span, double factor) {
        double monthsProduct = span.months() * factor;
        double daysProduct = span.days() * factor;
        int month = toInt(monthsProduct);
        int day = toInt(daysProduct);
        double monthRemainderDays = tsRound((monthsProduct - month) * IntervalValue.DAYS_PER_MONTH);
        double secRemainder = tsRound((daysProduct - day + monthRemainderDays - (int) monthRemainderDays)
                * SECS_PER_DAY);
        return cascade(month, day, monthRemainderDays, secRemainder, span.micros() * factor);
    }

    /** PostgreSQL's interval_div, the same cascade as {@link #multiply}. */
    static IntervalValue divide(IntervalValue span, double factor) {
        if (factor == 0) {
            throw Errors.divisionByZero();
        }
        double monthsQuotient = span.months() / factor;
        double daysQuotient = span.days() / factor;
        int month = toInt(monthsQuotient);
        int day = toInt(daysQuotient);
        double monthRemainderDays = tsRound((monthsQuotient - month) * IntervalValue.DAYS_PER_MONTH);
        double secRemainder = tsRound((daysQuotient - day + monthRemainderDays - (int) monthRemainderDays)
                * SECS_PER_DAY);
        return cascade(month, day, monthRemainderDays, secRemainder, span.micros() / factor);
    }

    private static IntervalValue cascade(int month, int day, double monthRemainderDays, double secRemainder,
                                         double scaledMicros) {
        try {
            // Rounding may give 24:00:00, and the cascade from months and days more than a day.
            if (Math.abs(secRemainder) >= SECS_PER_DAY) {
                int wholeDays = (int) (secRemainder / SECS_PER_DAY);
                day = Math.addExact(day, wholeDays);
                secRemainder -= wholeDays * SECS_PER_DAY;
            }
            day = Math.addExact(day, (int) monthRemainderDays);
            double time = Math.rint(scaledMicros + secRemainder * IntervalValue.MICROS_PER_SECOND);
            if (Double.isNaN(time) || time < -9.223372036854775808E18 || time >= 9.223372036854775808E18) {
                throw intervalOutOfRange();
            }
            return new IntervalValue(month, day, (long) time);
        } catch (ArithmeticException e) {
            throw intervalOutOfRange();
        }
    }

    private static int toInt(double d) {
        if (Double.isNaN(d) || d > Integer.MAX_VALUE || d < Integer.MIN_VALUE) {
            throw intervalOutOfRange();
        }
        return (int) d;
    }

    /** PostgreSQL's TSROUND: to microsecond precision. */
    private static double tsRound(double seconds) {
        return Math.rint(seconds * 1_000_000.0) / 1_000_000.0;
    }

    /** The compiled node for a timestamp/interval operator in {@link ExprCompiler}'s trees. */
    static Ev node(BinaryOp op, Signature s, Ev left, Ev right) {
        return new Ev.Call(s.result(), java.util.List.of(left, right), true, v -> apply(op, s, v[0], v[1]));
    }
}
