package io.stillpoint.server.pgwire.types;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.math.RoundingMode;
import java.util.Locale;

/**
 * numeric (OID 1700), Java value {@link BigDecimal}. Text: plain decimal notation ({@code toPlainString}).
 * Binary (numeric_send), all fields big-endian:
 * <pre>
 * Int16 ndigits   number of base-10000 digits that follow
 * Int16 weight    power of 10000 of the first digit (value = sum digit[i] * 10000^(weight - i))
 * Int16 sign      0x0000 positive, 0x4000 negative, 0xC000 NaN (0xD000/0xF000 +-Infinity in PG 14+)
 * Int16 dscale    number of decimal digits after the point to display
 * Int16[ndigits]  the digits, each 0..9999, without leading or trailing zero digits
 * </pre>
 * NaN and infinities have no BigDecimal form and are refused on input.
 */
public final class NumericType implements PgType {
    public static final NumericType INSTANCE = new NumericType();

    private static final int POSITIVE = 0x0000;
    private static final int NEGATIVE = 0x4000;
    private static final int NAN = 0xC000;
    private static final BigInteger TEN_THOUSAND = BigInteger.valueOf(10_000);

    private NumericType() {}

    @Override public int oid() { return 1700; }
    @Override public short typeLength() { return -1; }
    @Override public String typeName() { return "numeric"; }

    private static BigDecimal toBigDecimal(Object value) {
        if (value instanceof BigDecimal b) {
            return b;
        }
        if (value instanceof Double || value instanceof Float) {
            return new BigDecimal(value.toString());
        }
        if (value instanceof BigInteger bi) {
            return new BigDecimal(bi);
        }
        return BigDecimal.valueOf(((Number) value).longValue());
    }

    @Override
    public String encodeText(Object value) {
        BigDecimal b = toBigDecimal(value);
        return (b.scale() < 0 ? b.setScale(0) : b).toPlainString();
    }

    @Override
    public void writeText(ByteBuf out, Object value) {
        ByteBufUtil.writeAscii(out, encodeText(value));
    }

    @Override
    public void writeBinary(ByteBuf out, Object value) {
        BigDecimal b = toBigDecimal(value);
        if (b.scale() < 0) {
            b = b.setScale(0);
        }
        int dscale = b.scale();
        String digits = b.unscaledValue().abs().toString();
        int intLength = digits.length() - dscale;
        String intPart;
        String fracPart;
        if (intLength <= 0) {
            intPart = "";
            fracPart = "0".repeat(-intLength) + digits;
        } else {
            intPart = digits.substring(0, intLength);
            fracPart = digits.substring(intLength);
        }
        // Align both parts to groups of four decimal digits around the point.
        String padded = "0".repeat((4 - intPart.length() % 4) % 4) + intPart
                + fracPart + "0".repeat((4 - fracPart.length() % 4) % 4);
        int intGroups = (intPart.length() + 3) / 4;
        int groups = padded.length() / 4;
        int first = 0;
        int last = groups - 1;
        while (first <= last && isZeroGroup(padded, first)) {
            first++;
        }
        while (last >= first && isZeroGroup(padded, last)) {
            last--;
        }
        int ndigits = last - first + 1;
        if (ndigits <= 0) {
            out.writeShort(0).writeShort(0).writeShort(POSITIVE).writeShort(dscale);
            return;
        }
        int weight = intGroups - 1 - first;
        out.writeShort(ndigits);
        out.writeShort(weight);
        out.writeShort(b.signum() < 0 ? NEGATIVE : POSITIVE);
        out.writeShort(dscale);
        for (int g = first; g <= last; g++) {
            out.writeShort(Integer.parseInt(padded, g * 4, g * 4 + 4, 10));
        }
    }

    private static boolean isZeroGroup(String s, int group) {
        for (int i = group * 4; i < group * 4 + 4; i++) {
            if (s.charAt(i) != '0') {
                return false;
            }
        }
        return true;
    }

    @Override
    public Object decodeText(String text) {
        String s = text.strip();
        String lower = s.toLowerCase(Locale.ROOT);
        if (lower.equals("nan") || lower.endsWith("infinity") || lower.endsWith("inf")) {
            throw new io.stillpoint.server.exec.SqlError("0A000",
                    "numeric special values are not supported [value=" + text + "]");
        }
        try {
            if (s.isEmpty() || s.indexOf('_') >= 0) {
                throw new NumberFormatException();
            }
            BigDecimal value = new BigDecimal(s);
            return value.scale() < 0 ? value.setScale(0) : value; // 1e5 is 100000 with scale 0, as in PostgreSQL
        } catch (NumberFormatException | ArithmeticException e) {
            throw TypeErrors.invalidText(typeName(), text);
        }
    }

    @Override
    public Object decodeBinary(byte[] bytes, int offset, int length) {
        if (length < 8) {
            throw TypeErrors.invalidBinary(typeName(), length);
        }
        int ndigits = TypeErrors.int16(bytes, offset) & 0xFFFF;
        int weight = TypeErrors.int16(bytes, offset + 2);
        int sign = TypeErrors.int16(bytes, offset + 4) & 0xFFFF;
        int dscale = TypeErrors.int16(bytes, offset + 6) & 0xFFFF;
        if (length != 8 + 2 * ndigits || dscale > 0x3FFF) {
            throw TypeErrors.invalidBinary(typeName(), length);
        }
        if (sign != POSITIVE && sign != NEGATIVE) {
            if (sign == NAN || sign == 0xD000 || sign == 0xF000) {
                throw new io.stillpoint.server.exec.SqlError("0A000",
                        "numeric special values are not supported [value=" + (sign == NAN ? "NaN" : "Infinity") + "]");
            }
            throw TypeErrors.invalidBinary(typeName(), length);
        }
        BigInteger unscaled = BigInteger.ZERO;
        for (int i = 0; i < ndigits; i++) {
            int digit = TypeErrors.int16(bytes, offset + 8 + 2 * i);
            if (digit < 0 || digit > 9999) {
                throw TypeErrors.invalidBinary(typeName(), length);
            }
            unscaled = unscaled.multiply(TEN_THOUSAND).add(BigInteger.valueOf(digit));
        }
        BigDecimal value = new BigDecimal(unscaled).scaleByPowerOfTen(4 * (weight - ndigits + 1));
        if (sign == NEGATIVE) {
            value = value.negate();
        }
        return value.setScale(dscale, RoundingMode.HALF_UP);
    }
}
