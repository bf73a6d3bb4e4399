package io.stillpoint.server.exec;

import io.stillpoint.sql.IntervalText;
import io.stillpoint.sql.IntervalValue;
import io.stillpoint.storage.ColumnType;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.LocalDateTime;
import java.time.ZoneOffset;

/**
 * Value conversions shared by the executor: text to typed values (PostgreSQL's input rules), values to text,
 * numeric range checks, timestamp parsing and formatting, and the mapping between storage and wire types.
 * Java representations are those of {@link DataType}; internally INT2 is widened to INT4 and FLOAT4/NUMERIC to
 * FLOAT8 when they take part in expressions.
 */
public final class Values {

    private Values() {}

    static final long MICROS_PER_SECOND = 1_000_000L;
    static final long MICROS_PER_DAY = 86_400L * MICROS_PER_SECOND;

    static DataType dataType(ColumnType t) {
        return switch (t) {
            case BOOLEAN -> DataType.BOOL;
            case INT -> DataType.INT4;
            case LONG -> DataType.INT8;
            case DOUBLE -> DataType.FLOAT8;
            case VARCHAR -> DataType.VARCHAR;
            case TIMESTAMP -> DataType.TIMESTAMP;
        };
    }

    /** The PostgreSQL name of a type, as error messages show it. */
    static String typeName(DataType t) {
        return switch (t) {
            case BOOL -> "boolean";
            case INT2 -> "smallint";
            case INT4 -> "integer";
            case INT8 -> "bigint";
            case FLOAT4 -> "real";
            case FLOAT8 -> "double precision";
            case NUMERIC -> "numeric";
            case TEXT -> "text";
            case VARCHAR -> "varchar";
            case TIMESTAMP -> "timestamp";
            case INTERVAL -> "interval";
            case UNKNOWN -> "unknown";
        };
    }

    static String typeName(ColumnType t) {
        return typeName(dataType(t));
    }

    /** The short type name PostgreSQL uses as the column name of a bare cast, e.g. {@code '1'::int} is "int4". */
    static String castColumnName(DataType t) {
        return switch (t) {
            case BOOL -> "bool";
            case INT2 -> "int2";
            case INT4 -> "int4";
            case INT8 -> "int8";
            case FLOAT4 -> "float4";
            case FLOAT8 -> "float8";
            case NUMERIC -> "numeric";
            case TEXT -> "text";
            case VARCHAR -> "varchar";
            case TIMESTAMP -> "timestamp";
            case INTERVAL -> "interval";
            case UNKNOWN -> "?column?";
        };
    }

    static boolean isText(DataType t) {
        return t == DataType.TEXT || t == DataType.VARCHAR || t == DataType.UNKNOWN;
    }

    static boolean isIntegral(DataType t) {
        return t == DataType.INT2 || t == DataType.INT4 || t == DataType.INT8;
    }

    static boolean isNumeric(DataType t) {
        return isIntegral(t) || t == DataType.FLOAT4 || t == DataType.FLOAT8 || t == DataType.NUMERIC;
    }

    /** The type a parameter value takes inside expressions: INT2 as INT4, FLOAT4 and NUMERIC as FLOAT8. */
    static DataType expressionType(DataType t) {
        return switch (t) {
            case INT2 -> DataType.INT4;
            case FLOAT4, NUMERIC -> DataType.FLOAT8;
            default -> t;
        };
    }

    /** Converts a parameter value of a declared type to its {@link #expressionType} representation. */
    static Object normalizeParam(Object v) {
        if (v instanceof Short s) {
            return (int) s;
        }
        if (v instanceof Float f) {
            return (double) f;
        }
        if (v instanceof BigDecimal d) {
            return d.doubleValue();
        }
        return v;
    }

    // ---- errors -------------------------------------------------------------------------------------------

    static SqlError outOfRange(DataType t, Object value) {
        return new SqlError("22003", typeName(t) + " out of range [value=" + value + "]");
    }

    static SqlError badInput(DataType t, String text) {
        String state = t == DataType.TIMESTAMP || t == DataType.INTERVAL ? "22007" : "22P02";
        return new SqlError(state, "invalid input syntax for type " + typeName(t) + " [value=" + text + "]");
    }

    // ---- text input ---------------------------------------------------------------------------------------

    /** Parses text as a value of {@code t} the way PostgreSQL's input functions do. */
    static Object parse(String text, DataType t) {
        return switch (t) {
            case BOOL -> parseBoolean(text);
            case INT2, INT4 -> parseInt(text);
            case INT8 -> parseLong(text);
            case FLOAT4, FLOAT8, NUMERIC -> parseDouble(text, t);
            case TEXT, VARCHAR, UNKNOWN -> text;
            case TIMESTAMP -> parseTimestamp(text);
            case INTERVAL -> parseInterval(text);
        };
    }

    /** PostgreSQL's interval input (see {@link IntervalText#parseInterval}): 22007 if malformed, 22015 if a field overflows. */
    public static IntervalValue parseInterval(String text) {
        try {
            return IntervalText.parseInterval(text);
        } catch (IntervalText.FieldOutOfRange e) {
            throw new SqlError("22015", e.getMessage());
        } catch (IllegalArgumentException e) {
            throw new SqlError("22007", e.getMessage());
        }
    }

    static Boolean parseBoolean(String text) {
        String s = text.trim().toLowerCase();
        switch (s) {
            case "t", "true", "yes", "y", "on", "1":
                return Boolean.TRUE;
            case "f", "false", "no", "n", "off", "0":
                return Boolean.FALSE;
            default:
                throw badInput(DataType.BOOL, text);
        }
    }

    static Integer parseInt(String text) {
        long v = parseIntegral(text, DataType.INT4);
        if (v < Integer.MIN_VALUE || v > Integer.MAX_VALUE) {
            throw new SqlError("22003", "value out of range for type integer [value=" + text.trim() + "]");
        }
        return (int) v;
    }

    static Long parseLong(String text) {
        return parseIntegral(text, DataType.INT8);
    }

    private static long parseIntegral(String text, DataType t) {
        String s = text.trim();
        if (s.isEmpty()) {
            throw badInput(t, text);
        }
        int start = (s.charAt(0) == '-' || s.charAt(0) == '+') ? 1 : 0;
        if (start == s.length()) {
            throw badInput(t, text);
        }
        for (int i = start; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < '0' || c > '9') {
                throw badInput(t, text);
            }
        }
        try {
            return Long.parseLong(s);
        } catch (NumberFormatException e) {
            throw new SqlError("22003", "value out of range for type " + typeName(t) + " [value=" + s + "]");
        }
    }

    static Double parseDouble(String text, DataType t) {
        String s = text.trim();
        switch (s.toLowerCase()) {
            case "nan":
                return Double.NaN;
            case "infinity", "+infinity", "inf", "+inf":
                return Double.POSITIVE_INFINITY;
            case "-infinity", "-inf":
                return Double.NEGATIVE_INFINITY;
            default:
                break;
        }
        // Double.parseDouble accepts forms PostgreSQL does not (hex, trailing 'd'/'f'): allow digits only.
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (!((c >= '0' && c <= '9') || c == '.' || c == 'e' || c == 'E' || c == '-' || c == '+')) {
                throw badInput(t, text);
            }
        }
        try {
            double d = Double.parseDouble(s);
            if (Double.isInfinite(d)) {
                throw new SqlError("22003", "value out of range for type double precision [value=" + s + "]");
            }
            return d;
        } catch (NumberFormatException e) {
            throw badInput(t, text);
        }
    }

    /**
     * Parses an ISO timestamp: {@code yyyy-mm-dd}, optionally followed by {@code ' '} or {@code 'T'} and
     * {@code hh:mm[:ss[.fraction]]}, optionally followed by {@code Z} or an offset {@code ±hh[[:]mm]}; an
     * offset converts the instant to UTC. Fractions beyond microseconds are rounded half up.
     */
    static long parseTimestamp(String text) {
        String s = text.trim();
        int n = s.length();
        int[] pos = {0};
        try {
            boolean negativeYear = false;
            int year = digits(s, pos, 4, 6);
            expect(s, pos, '-');
            int month = digits(s, pos, 1, 2);
            expect(s, pos, '-');
            int day = digits(s, pos, 1, 2);
            int hour = 0;
            int minute = 0;
            int second = 0;
            long micros = 0;
            long offsetSeconds = 0;
            if (pos[0] < n && (s.charAt(pos[0]) == ' ' || s.charAt(pos[0]) == 'T' || s.charAt(pos[0]) == 't')) {
                pos[0]++;
                while (pos[0] < n && s.charAt(pos[0]) == ' ') {
                    pos[0]++;
                }
                hour = digits(s, pos, 1, 2);
                expect(s, pos, ':');
                minute = digits(s, pos, 2, 2);
                if (pos[0] < n && s.charAt(pos[0]) == ':') {
                    pos[0]++;
                    second = digits(s, pos, 2, 2);
                    if (pos[0] < n && s.charAt(pos[0]) == '.') {
                        pos[0]++;
                        int start = pos[0];
                        while (pos[0] < n && Character.isDigit(s.charAt(pos[0]))) {
                            pos[0]++;
                        }
                        String frac = s.substring(start, pos[0]);
                        if (frac.isEmpty()) {
                            throw badInput(DataType.TIMESTAMP, text);
                        }
                        micros = new BigDecimal("0." + frac).movePointRight(6)
                                .setScale(0, RoundingMode.HALF_UP).longValueExact();
                    }
                }
                while (pos[0] < n && s.charAt(pos[0]) == ' ') {
                    pos[0]++;
                }
                if (pos[0] < n) {
                    char c = s.charAt(pos[0]);
                    if (c == 'Z' || c == 'z') {
                        pos[0]++;
                    } else if (c == '+' || c == '-') {
                        pos[0]++;
                        int oh = digits(s, pos, 2, 2);
                        int om = 0;
                        if (pos[0] < n && s.charAt(pos[0]) == ':') {
                            pos[0]++;
                        }
                        if (pos[0] < n) {
                            om = digits(s, pos, 2, 2);
                        }
                        if (oh > 15 || om > 59) {
                            throw badInput(DataType.TIMESTAMP, text);
                        }
                        offsetSeconds = (c == '-' ? -1 : 1) * (oh * 3600L + om * 60L);
                    } else if (s.substring(pos[0]).equalsIgnoreCase("UTC")) {
                        pos[0] = n;
                    }
                }
            }
            if (pos[0] != n || negativeYear) {
                throw badInput(DataType.TIMESTAMP, text);
            }
            if (hour > 24 || minute > 59 || second > 60 || (hour == 24 && (minute != 0 || second != 0 || micros != 0))) {
                throw new SqlError("22008", "date/time field value out of range [value=" + text + "]");
            }
            LocalDateTime dt;
            try {
                dt = LocalDateTime.of(year, month, day, 0, 0);
            } catch (java.time.DateTimeException e) {
                throw new SqlError("22008", "date/time field value out of range [value=" + text + "]");
            }
            long epochSeconds = dt.toEpochSecond(ZoneOffset.UTC) + hour * 3600L + minute * 60L + second - offsetSeconds;
            return Math.addExact(Math.multiplyExact(epochSeconds, MICROS_PER_SECOND), micros);
        } catch (StringIndexOutOfBoundsException | NumberFormatException | ArithmeticException e) {
            throw badInput(DataType.TIMESTAMP, text);
        }
    }

    private static int digits(String s, int[] pos, int min, int max) {
        int start = pos[0];
        int v = 0;
        while (pos[0] < s.length() && pos[0] - start < max && Character.isDigit(s.charAt(pos[0]))) {
            v = v * 10 + (s.charAt(pos[0]) - '0');
            pos[0]++;
        }
        if (pos[0] - start < min) {
            throw new NumberFormatException();
        }
        return v;
    }

    private static void expect(String s, int[] pos, char c) {
        if (pos[0] >= s.length() || s.charAt(pos[0]) != c) {
            throw new NumberFormatException();
        }
        pos[0]++;
    }

    /** Formats microseconds since the epoch as PostgreSQL prints a timestamp: {@code 2026-11-21 10:00:00.123}. */
    static String formatTimestamp(long micros) {
        long seconds = Math.floorDiv(micros, MICROS_PER_SECOND);
        int fraction = (int) Math.floorMod(micros, MICROS_PER_SECOND);
        LocalDateTime dt = LocalDateTime.ofEpochSecond(seconds, 0, ZoneOffset.UTC);
        StringBuilder sb = new StringBuilder(26);
        int year = dt.getYear();
        if (year < 1000 && year >= 0) {
            sb.append(String.format("%04d", year));
        } else {
            sb.append(year);
        }
        sb.append('-');
        two(sb, dt.getMonthValue()).append('-');
        two(sb, dt.getDayOfMonth()).append(' ');
        two(sb, dt.getHour()).append(':');
        two(sb, dt.getMinute()).append(':');
        two(sb, dt.getSecond());
        if (fraction != 0) {
            String f = String.format("%06d", fraction);
            int end = f.length();
            while (f.charAt(end - 1) == '0') {
                end--;
            }
            sb.append('.').append(f, 0, end);
        }
        return sb.toString();
    }

    private static StringBuilder two(StringBuilder sb, int v) {
        if (v < 10) {
            sb.append('0');
        }
        return sb.append(v);
    }

    /** A value as PostgreSQL's text output shows it (the value's Java type decides, timestamps need the type). */
    static String toText(Object v, DataType t) {
        if (v == null) {
            return null;
        }
        if (t == DataType.TIMESTAMP) {
            return formatTimestamp((Long) v);
        }
        if (v instanceof Boolean b) {
            return b ? "true" : "false";
        }
        if (v instanceof Double d) {
            return formatDouble(d);
        }
        if (v instanceof BigDecimal d) {
            return d.toPlainString();
        }
        return v.toString();
    }

    static String formatDouble(double d) {
        if (Double.isNaN(d)) {
            return "NaN";
        }
        if (Double.isInfinite(d)) {
            return d > 0 ? "Infinity" : "-Infinity";
        }
        if (d == Math.rint(d) && Math.abs(d) < 1e15) {
            return Long.toString((long) d);
        }
        return Double.toString(d);
    }

    // ---- numeric conversions --------------------------------------------------------------------------------

    static int toIntExact(long v, Object shown) {
        if (v < Integer.MIN_VALUE || v > Integer.MAX_VALUE) {
            throw new SqlError("22003", "integer out of range [value=" + shown + "]");
        }
        return (int) v;
    }

    /**
     * Fractional numbers to integer, range-checked, rounding half away from zero as PostgreSQL does for the
     * numeric literals we represent as doubles (so {@code 2.5::int} is 3).
     */
    static long doubleToLong(double d, DataType target) {
        if (Double.isNaN(d)) {
            throw new SqlError("22003", typeName(target) + " out of range [value=NaN]");
        }
        double r = d < 0 ? -Math.floor(-d + 0.5) : Math.floor(d + 0.5);
        if (r < -9.223372036854775808E18 || r >= 9.223372036854775808E18) {
            throw new SqlError("22003", typeName(target) + " out of range [value=" + formatDouble(d) + "]");
        }
        long l = (long) r;
        if (target == DataType.INT4 && (l < Integer.MIN_VALUE || l > Integer.MAX_VALUE)) {
            throw new SqlError("22003", "integer out of range [value=" + formatDouble(d) + "]");
        }
        return l;
    }

    static long bigDecimalToLong(BigDecimal d, DataType target) {
        BigDecimal r = d.setScale(0, RoundingMode.HALF_UP);
        try {
            long l = r.longValueExact();
            if (target == DataType.INT4 && (l < Integer.MIN_VALUE || l > Integer.MAX_VALUE)) {
                throw new SqlError("22003", "integer out of range [value=" + d.toPlainString() + "]");
            }
            return l;
        } catch (ArithmeticException e) {
            throw new SqlError("22003", typeName(target) + " out of range [value=" + d.toPlainString() + "]");
        }
    }

    /** PostgreSQL's float order: -0 equals 0, NaN equals NaN and sorts above every number. */
    static int compareDoubles(double x, double y) {
        if (x < y) {
            return -1;
        }
        if (x > y) {
            return 1;
        }
        if (x == y) {
            return 0;
        }
        return Double.compare(x, y); // at least one NaN
    }

    /** Orders two non-null values of the same expression type. */
    @SuppressWarnings({"unchecked", "rawtypes"})
    static int compare(Object a, Object b) {
        if (a instanceof Long x && b instanceof Long y) {
            return Long.compare(x, y);
        }
        if (a instanceof Integer x && b instanceof Integer y) {
            return Integer.compare(x, y);
        }
        if (a instanceof Number x && b instanceof Number y) {
            if ((a instanceof Double) || (b instanceof Double)) {
                return compareDoubles(x.doubleValue(), y.doubleValue());
            }
            return Long.compare(x.longValue(), y.longValue());
        }
        if (a instanceof String x && b instanceof String y) {
            return x.compareTo(y);
        }
        if (a instanceof Boolean x && b instanceof Boolean y) {
            return Boolean.compare(x, y);
        }
        return ((Comparable) a).compareTo(b);
    }
}
