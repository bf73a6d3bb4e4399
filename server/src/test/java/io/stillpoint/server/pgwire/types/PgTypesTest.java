package io.stillpoint.server.pgwire.types;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.stillpoint.server.exec.DataType;
import io.stillpoint.server.exec.SqlError;
import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** Round trips and exact forms of every codec, in text and binary. */
class PgTypesTest {

    private static byte[] binary(PgType type, Object value) {
        ByteBuf buf = Unpooled.buffer();
        type.writeBinary(buf, value);
        byte[] out = new byte[buf.readableBytes()];
        buf.readBytes(out);
        return out;
    }

    private static String text(PgType type, Object value) {
        ByteBuf buf = Unpooled.buffer();
        type.writeText(buf, value);
        String viaBuffer = buf.toString(StandardCharsets.UTF_8);
        assertEquals(type.encodeText(value), viaBuffer);
        return viaBuffer;
    }

    /** Text and binary both give the value back. */
    private static void roundTrip(PgType type, Object value) {
        byte[] b = binary(type, value);
        assertEquals(value, type.decodeBinary(b, 0, b.length), "binary " + value);
        byte[] t = text(type, value).getBytes(StandardCharsets.UTF_8);
        assertEquals(value, type.decodeText(t, 0, t.length), "text " + value);
    }

    private static void assertSqlError(String state, String message, Runnable r) {
        SqlError e = assertThrows(SqlError.class, r::run);
        assertEquals(state, e.sqlState());
        if (message != null) {
            assertEquals(message, e.getMessage());
        }
    }

    @Test
    void everyDataTypeHasACodecWithItsOid() {
        for (DataType t : DataType.values()) {
            assertEquals(t.oid(), PgTypes.of(t).oid());
        }
        assertEquals(705, PgTypes.of(null).oid());
    }

    @Test
    void bool() {
        PgType t = BoolType.INSTANCE;
        roundTrip(t, true);
        roundTrip(t, false);
        assertEquals("t", text(t, true));
        assertArrayEquals(new byte[] {1}, binary(t, true));
        for (String s : new String[] {"true", "TRUE", "t", "yes", "y", "on", "1", " tr "}) {
            assertEquals(true, t.decodeText(s), s);
        }
        for (String s : new String[] {"false", "f", "no", "off", "0"}) {
            assertEquals(false, t.decodeText(s), s);
        }
        assertSqlError("22P02", "invalid input syntax for type boolean [value=o]", () -> t.decodeText("o"));
        assertSqlError("22P03", null, () -> t.decodeBinary(new byte[2], 0, 2));
    }

    @Test
    void integers() {
        for (short v : new short[] {0, 1, -1, Short.MIN_VALUE, Short.MAX_VALUE}) {
            roundTrip(Int2Type.INSTANCE, v);
        }
        for (int v : new int[] {0, 7, -7, Integer.MIN_VALUE, Integer.MAX_VALUE}) {
            roundTrip(Int4Type.INSTANCE, v);
        }
        for (long v : new long[] {0, 42, -42, Long.MIN_VALUE, Long.MAX_VALUE}) {
            roundTrip(Int8Type.INSTANCE, v);
        }
        assertArrayEquals(new byte[] {0, 0, 1, 0}, binary(Int4Type.INSTANCE, 256));
        assertEquals(" -12 ".strip(), text(Int4Type.INSTANCE, Int4Type.INSTANCE.decodeText(" -12 ")));
        assertEquals(5, Int4Type.INSTANCE.decodeText("+5"));
        assertEquals(Long.MIN_VALUE, Int8Type.INSTANCE.decodeText("-9223372036854775808"));
        assertSqlError("22P02", "invalid input syntax for type integer [value=abc]", () -> Int4Type.INSTANCE.decodeText("abc"));
        assertSqlError("22P02", null, () -> Int4Type.INSTANCE.decodeText(""));
        assertSqlError("22P02", null, () -> Int4Type.INSTANCE.decodeText("1.5"));
        assertSqlError("22003", "value out of range for type integer [value=2147483648]",
                () -> Int4Type.INSTANCE.decodeText("2147483648"));
        assertSqlError("22003", null, () -> Int2Type.INSTANCE.decodeText("40000"));
        assertSqlError("22003", null, () -> Int8Type.INSTANCE.decodeText("9223372036854775808"));
        assertSqlError("22P03", null, () -> Int4Type.INSTANCE.decodeBinary(new byte[3], 0, 3));
        // A narrower binary integer widens (client declared int4 where the statement wants int8).
        assertEquals(-1L, Int8Type.INSTANCE.decodeBinary(new byte[] {-1, -1, -1, -1}, 0, 4));
    }

    @Test
    void float8TextLooksLikePostgres() {
        PgType t = Float8Type.INSTANCE;
        assertEquals("1.5", text(t, 1.5));
        assertEquals("1e+20", text(t, 1e20));
        assertEquals("1e+15", text(t, 1e15));
        assertEquals("100000000000000", text(t, 1e14));
        assertEquals("123456789012345", text(t, 123456789012345.0));
        assertEquals("0.1", text(t, 0.1));
        assertEquals("0.0001", text(t, 0.0001));
        assertEquals("1e-05", text(t, 0.00001));
        assertEquals("1.2345e-10", text(t, 1.2345e-10));
        assertEquals("-2.5e+300", text(t, -2.5e300));
        assertEquals("0.30000000000000004", text(t, 0.1 + 0.2));
        assertEquals("0", text(t, 0.0));
        assertEquals("-0", text(t, -0.0));
        assertEquals("3", text(t, 3.0));
        assertEquals("NaN", text(t, Double.NaN));
        assertEquals("Infinity", text(t, Double.POSITIVE_INFINITY));
        assertEquals("-Infinity", text(t, Double.NEGATIVE_INFINITY));
        for (double d : new double[] {0, 1.5, -1e-300, Double.MAX_VALUE, Double.MIN_VALUE, Math.PI, 1e20,
                Double.NaN, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY}) {
            roundTrip(t, d);
        }
        assertEquals(Double.NEGATIVE_INFINITY, t.decodeText("-inf"));
        assertEquals(1000.0, t.decodeText(" 1e3 "));
        assertSqlError("22P02", "invalid input syntax for type double precision [value=1,5]", () -> t.decodeText("1,5"));
        assertSqlError("22P02", null, () -> t.decodeText("0x10"));
        assertSqlError("22003", null, () -> t.decodeText("1e400"));
    }

    @Test
    void floatTextRoundTripsForRandomValuesOfEveryMagnitude() {
        java.util.Random random = new java.util.Random(42);
        for (int i = 0; i < 20_000; i++) {
            double d = Double.longBitsToDouble(random.nextLong());
            if (Double.isNaN(d)) {
                continue;
            }
            String text = Float8Type.INSTANCE.encodeText(d);
            assertEquals(d, Float8Type.INSTANCE.decodeText(text), text);
            assertEquals(new BigDecimal(Double.toString(d)).compareTo(new BigDecimal(text.replace("e", "E"))), 0, text);
            float f = Float.intBitsToFloat(random.nextInt());
            if (!Float.isNaN(f)) {
                String ft = Float4Type.INSTANCE.encodeText(f);
                assertEquals(f, Float4Type.INSTANCE.decodeText(ft), ft);
            }
        }
    }

    @Test
    void float4() {
        PgType t = Float4Type.INSTANCE;
        assertEquals("1.5", text(t, 1.5f));
        assertEquals("0.1", text(t, 0.1f));
        assertEquals("100000", text(t, 100000f));
        assertEquals("1e+06", text(t, 1e6f));
        assertEquals("3.4028235e+38", text(t, Float.MAX_VALUE));
        for (float f : new float[] {0f, -1.25f, Float.MIN_VALUE, Float.MAX_VALUE, Float.NaN}) {
            roundTrip(t, f);
        }
        assertArrayEquals(new byte[] {0x3f, (byte) 0xc0, 0, 0}, binary(t, 1.5f));
        assertSqlError("22003", null, () -> t.decodeText("1e39"));
    }

    @Test
    void numericBinaryMatchesPostgresLayout() {
        PgType t = NumericType.INSTANCE;
        // ndigits, weight, sign, dscale, digits...
        assertNumeric("12345.6789", 3, 1, 0, 4, 1, 2345, 6789);
        assertNumeric("10000", 1, 1, 0, 0, 1);
        assertNumeric("0.0001", 1, -1, 0, 4, 1);
        assertNumeric("0.00001", 1, -2, 0, 5, 1000);
        assertNumeric("-12.34", 2, 0, 0x4000, 2, 12, 3400);
        assertNumeric("0", 0, 0, 0, 0);
        assertNumeric("0.00", 0, 0, 0, 2);
        assertNumeric("1E+20", 1, 5, 0, 0, 1);
        for (String s : new String[] {"0", "0.00", "1", "-1", "12345.6789", "0.0001", "-0.5", "10000",
                "123456789.123456789", "99999999999999999999999.99999", "-0.000000001"}) {
            roundTrip(t, new BigDecimal(s));
        }
        assertEquals("100000000000000000000", text(t, new BigDecimal("1E+20")));
        assertEquals(new BigDecimal("100000"), t.decodeText("1e5"));
        assertSqlError("22P02", "invalid input syntax for type numeric [value=12a]", () -> t.decodeText("12a"));
        assertSqlError("0A000", null, () -> t.decodeText("NaN"));
        byte[] nan = {0, 0, 0, 0, (byte) 0xC0, 0, 0, 0};
        assertSqlError("0A000", null, () -> t.decodeBinary(nan, 0, nan.length));
        byte[] badDigit = {0, 1, 0, 0, 0, 0, 0, 0, 0x27, 0x10}; // digit 10000
        assertSqlError("22P03", null, () -> t.decodeBinary(badDigit, 0, badDigit.length));
        assertSqlError("22P03", null, () -> t.decodeBinary(new byte[6], 0, 6));
    }

    private static void assertNumeric(String value, int... fields) {
        ByteBuf expected = Unpooled.buffer();
        for (int f : fields) {
            expected.writeShort(f);
        }
        byte[] e = new byte[expected.readableBytes()];
        expected.readBytes(e);
        assertArrayEquals(e, binary(NumericType.INSTANCE, new BigDecimal(value)), value);
        assertEquals(new BigDecimal(value).setScale(Math.max(0, new BigDecimal(value).scale())),
                NumericType.INSTANCE.decodeBinary(e, 0, e.length), value);
    }

    @Test
    void textTypes() {
        for (PgType t : new PgType[] {TextType.INSTANCE, VarcharType.INSTANCE, UnknownType.INSTANCE}) {
            roundTrip(t, "");
            roundTrip(t, "héllo wörld ✓");
            assertArrayEquals("ü".getBytes(StandardCharsets.UTF_8), binary(t, "ü"));
        }
        assertEquals(-1, TextType.INSTANCE.typeLength());
        assertEquals(-2, UnknownType.INSTANCE.typeLength());
        assertEquals(1043, VarcharType.INSTANCE.oid());
    }

    @Test
    void timestampFastTextPathMatchesTheReferenceForRandomValues() {
        java.util.Random random = new java.util.Random(7);
        long[] edges = {0, -1, 1, -62_135_596_800_000_000L, -62_135_596_800_000_001L, 253_402_300_799_999_999L,
                253_402_300_800_000_000L, 951_782_400_000_000L /* 2000-02-29 */, 4_107_456_000_000_000L /* 2100-02-28 */};
        for (long v : edges) {
            assertEquals(TimestampType.INSTANCE.encodeText(v), text(TimestampType.INSTANCE, v));
        }
        for (int i = 0; i < 50_000; i++) {
            long v = (long) ((random.nextDouble() * 2 - 1) * 300_000_000_000_000_000L);
            if (i % 3 == 0) {
                v = v / 1_000_000 * 1_000_000 + random.nextInt(10) * 100_000L;
            }
            String text = text(TimestampType.INSTANCE, v); // asserts the buffer path equals encodeText
            assertEquals(v, TimestampType.INSTANCE.decodeText(text), text);
        }
    }

    @Test
    void timestamp() {
        PgType t = TimestampType.INSTANCE;
        long micros = 1_795_255_200_123_456L;
        assertEquals("2026-11-21 10:00:00.123456", text(t, micros));
        assertEquals("2026-11-21 10:00:00", text(t, 1_795_255_200_000_000L));
        assertEquals("2026-11-21 10:00:00.5", text(t, 1_795_255_200_500_000L));
        assertEquals("2026-11-21 10:00:00.00001", text(t, 1_795_255_200_000_010L));
        assertEquals("1970-01-01 00:00:00", text(t, 0L));
        assertEquals("1969-12-31 23:59:59.999999", text(t, -1L));
        assertEquals("2000-01-01 00:00:00", text(t, TimestampType.PG_EPOCH_OFFSET_MICROS));
        assertEquals("infinity", text(t, Long.MAX_VALUE));
        assertEquals("-infinity", text(t, Long.MIN_VALUE));
        assertArrayEquals(new byte[8], binary(t, TimestampType.PG_EPOCH_OFFSET_MICROS));
        for (long v : new long[] {micros, 0, -1, Long.MAX_VALUE, Long.MIN_VALUE, -62_135_596_800_000_000L /* 0001-01-01 */,
                -62_167_219_200_000_000L /* 0001-01-01 BC */}) {
            roundTrip(t, v);
        }
        assertEquals("0001-01-01 00:00:00 BC", text(t, -62_167_219_200_000_000L));
        assertEquals(micros, t.decodeText("2026-11-21T10:00:00.123456"));
        assertEquals(micros, t.decodeText("2026-11-21 10:00:00.123456+00"));
        assertEquals(micros, t.decodeText("2026-11-21 10:00:00.1234555"));
        assertEquals(1_795_255_200_000_000L, t.decodeText("2026-11-21 10:00"));
        assertEquals(1_795_219_200_000_000L, t.decodeText("2026-11-21"));
        assertEquals(1_795_305_600_000_000L, t.decodeText("2026-11-21 24:00:00"));
        assertEquals(0L, t.decodeText("epoch"));
        assertEquals(Long.MAX_VALUE, t.decodeText("infinity"));
        assertSqlError("22007", "invalid input syntax for type timestamp [value=yesterday-ish]", () -> t.decodeText("yesterday-ish"));
        assertSqlError("22008", null, () -> t.decodeText("2026-13-01 00:00:00"));
        assertSqlError("22008", null, () -> t.decodeText("2026-02-30"));
        assertSqlError("22P03", null, () -> t.decodeBinary(new byte[4], 0, 4));
    }

    @Test
    void timestampCommonFormFastPathAgreesWithTheGeneralParser() {
        java.util.Random random = new java.util.Random(7);
        String[] zones = {"", "Z", "+00", "+00:00", "-05", "+05:30"};
        for (int i = 0; i < 20_000; i++) {
            long micros = random.nextLong() % 250_000_000_000_000_000L;
            String base = TimestampType.INSTANCE.encodeText(micros);
            if (base.endsWith("BC")) {
                continue;
            }
            String text = (random.nextBoolean() ? base : base.replace(' ', 'T')) + zones[random.nextInt(zones.length)];
            // A leading blank keeps the text off the fast path, so the general parser is the reference.
            assertEquals(TimestampType.INSTANCE.decodeText(" " + text), TimestampType.INSTANCE.decodeText(text), text);
        }
        for (String bad : new String[] {"2026-02-30 00:00:00", "2026-13-01 00:00:00", "2026-11-21 25:00:00",
                "2026-11-21 10:00:00+0x"}) {
            assertThrows(SqlError.class, () -> TimestampType.INSTANCE.decodeText(bad), bad);
        }
        assertEquals(TimestampType.INSTANCE.decodeText(" 2026-11-21 10:00:00.1234567"),
                TimestampType.INSTANCE.decodeText("2026-11-21 10:00:00.1234567"));
    }
}
