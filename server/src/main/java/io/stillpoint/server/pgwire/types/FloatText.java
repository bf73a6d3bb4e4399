package io.stillpoint.server.pgwire.types;

import java.util.Locale;
import java.util.regex.Pattern;

/**
 * Text form of float4/float8 as PostgreSQL 12+ prints it with extra_float_digits >= 1 (the default for
 * pgjdbc and psql): the shortest digits that round-trip, in fixed notation when the decimal exponent is in
 * [-4, P) (P = 15 for float8, 6 for float4), otherwise {@code d.ddde+XX} with at least two exponent digits.
 * Examples: {@code 1.5}, {@code 100000000000000}, {@code 1e+20}, {@code 1e-05}, {@code NaN}, {@code -Infinity}.
 */
final class FloatText {
    private static final Pattern NUMBER = Pattern.compile("[+-]?(\\d+\\.?\\d*|\\.\\d+)([eE][+-]?\\d+)?");

    private FloatText() {}

    /**
     * @param shortest  Java's shortest round-trip rendering of the magnitude (Double/Float.toString)
     * @param fixedLimit the exponent from which scientific notation is used
     */
    static String format(double value, String shortest, int fixedLimit) {
        if (Double.isNaN(value)) {
            return "NaN";
        }
        if (Double.isInfinite(value)) {
            return value > 0 ? "Infinity" : "-Infinity";
        }
        boolean negative = value < 0 || (value == 0 && 1 / value < 0);
        String sign = negative ? "-" : "";
        if (value == 0) {
            return sign + "0";
        }
        // Java prints "ddd.ddd" or "d.dddE[-]n": collect the significant digits and the decimal exponent.
        String magnitude = shortest.startsWith("-") ? shortest.substring(1) : shortest;
        int e = magnitude.indexOf('E');
        String mantissa = e < 0 ? magnitude : magnitude.substring(0, e);
        int dot = mantissa.indexOf('.');
        if (dot < 0) {
            dot = mantissa.length();
        }
        StringBuilder all = new StringBuilder(mantissa.length());
        all.append(mantissa, 0, dot);
        if (dot < mantissa.length()) {
            all.append(mantissa, dot + 1, mantissa.length());
        }
        int pointPosition = dot + (e < 0 ? 0 : Integer.parseInt(magnitude.substring(e + 1)));
        int first = 0;
        while (first < all.length() - 1 && all.charAt(first) == '0') {
            first++;
            pointPosition--;
        }
        int last = all.length();
        while (last > first + 1 && all.charAt(last - 1) == '0') {
            last--;
        }
        String digits = all.substring(first, last);
        int exponent = pointPosition - 1;
        StringBuilder sb = new StringBuilder(digits.length() + 8).append(sign);
        if (exponent >= -4 && exponent < fixedLimit) {
            if (exponent >= 0) {
                int intDigits = exponent + 1;
                if (digits.length() <= intDigits) {
                    sb.append(digits);
                    for (int i = digits.length(); i < intDigits; i++) {
                        sb.append('0');
                    }
                } else {
                    sb.append(digits, 0, intDigits).append('.').append(digits, intDigits, digits.length());
                }
            } else {
                sb.append("0.");
                for (int i = -1; i > exponent; i--) {
                    sb.append('0');
                }
                sb.append(digits);
            }
        } else {
            sb.append(digits.charAt(0));
            if (digits.length() > 1) {
                sb.append('.').append(digits, 1, digits.length());
            }
            sb.append('e').append(exponent < 0 ? '-' : '+');
            int abs = Math.abs(exponent);
            if (abs < 10) {
                sb.append('0');
            }
            sb.append(abs);
        }
        return sb.toString();
    }

    /** Like float4in: as {@link #parse} but rounded to float precision first, so Float.MAX_VALUE's text parses. */
    static float parseFloat(String text, String typeName) {
        double d = parse(text, typeName);
        if (Double.isNaN(d) || Double.isInfinite(d)) {
            return (float) d;
        }
        float f = Float.parseFloat(text.strip());
        if (Float.isInfinite(f)) {
            throw TypeErrors.outOfRange(typeName, text);
        }
        return f;
    }

    /** Like float8in: decimal or exponent notation, NaN, [+-]Infinity / inf, surrounding blanks. */
    static double parse(String text, String typeName) {
        String s = text.strip();
        switch (s.toLowerCase(Locale.ROOT)) {
            case "nan": return Double.NaN;
            case "infinity": case "+infinity": case "inf": case "+inf": return Double.POSITIVE_INFINITY;
            case "-infinity": case "-inf": return Double.NEGATIVE_INFINITY;
            default: break;
        }
        if (!NUMBER.matcher(s).matches()) {
            throw TypeErrors.invalidText(typeName, text);
        }
        double v = Double.parseDouble(s);
        if (Double.isInfinite(v)) {
            throw TypeErrors.outOfRange(typeName, text);
        }
        return v;
    }
}
