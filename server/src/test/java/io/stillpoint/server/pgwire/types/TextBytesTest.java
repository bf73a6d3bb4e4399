package io.stillpoint.server.pgwire.types;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@link TextBytes} writes exactly the codecs' text, for random and edge values; what it leaves to the codec. */
class TextBytesTest {

    private static String float8(double d) {
        byte[] b = new byte[TextBytes.MAX_LENGTH + 3];
        b[0] = 'x';
        int end = TextBytes.writeFloat8(b, 1, d);
        return end == TextBytes.NOT_FAST ? null : new String(b, 1, end - 1, StandardCharsets.US_ASCII);
    }

    private static void sameAsCodec(double d) {
        String fast = float8(d);
        if (fast != null) {
            assertEquals(Float8Type.INSTANCE.encodeText(d), fast, "bits " + Double.doubleToRawLongBits(d));
        }
    }

    @Test
    void float8EdgeValuesMatchTheCodec() {
        double[] values = {0.0, -0.0, Double.NaN, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY, 1, -1, 0.5,
            -0.5, 1.5, 0.1, 0.2, 0.3, 0.1 + 0.2, 1e-4, 0.0001220703125, 9.765625E-4, 1e-5, 1e14, 1e15, 1e15 - 1,
            999999999999999.0, 99999999999999.5, 9999999999999.25, 123456.789, 2.5e-4, Math.PI, Math.E,
            Double.MIN_VALUE, Double.MAX_VALUE, Double.MIN_NORMAL, 4503599627370496.0, 4503599627370495.5,
            0.00048828125, 1.0 / 1024 / 1024, 3.0517578125E-5, 12345.5, -987654.125};
        for (double d : values) {
            sameAsCodec(d);
        }
        assertEquals("NaN", float8(Double.NaN));
        assertEquals("-Infinity", float8(Double.NEGATIVE_INFINITY));
        assertEquals("-0", float8(-0.0));
        assertEquals("499999.5", float8(499999.5));
        assertEquals("0.0001220703125", float8(0.0001220703125));
        assertEquals("-100000000000000", float8(-1e14));
        // left to the codec: scientific notation, more than 15 digits, non-terminating-looking binary fractions
        assertEquals(null, float8(1e15));
        assertEquals(null, float8(1e-5));
        assertEquals(null, float8(0.1));
        assertEquals(null, float8(Math.PI));
    }

    @Test
    void randomFloat8MatchTheCodec() {
        SplittableRandom random = new SplittableRandom(20261122);
        int fast = 0;
        for (int i = 0; i < 300_000; i++) {
            double d = switch (i % 6) {
                case 0 -> Double.longBitsToDouble(random.nextLong()); // anything, mostly left to the codec
                case 1 -> random.nextLong(-2_000_000_000_000L, 2_000_000_000_000L) * 0.5;
                case 2 -> Math.scalb((double) random.nextLong(-(1L << 40), 1L << 40), -random.nextInt(1, 60));
                case 3 -> (random.nextInt(2) == 0 ? 1 : -1) * Math.pow(10, random.nextInt(-8, 17));
                case 4 -> random.nextDouble(-1e16, 1e16);
                default -> random.nextInt(-100_000, 100_000) / 64.0;
            };
            sameAsCodec(d);
            if (float8(d) != null) {
                fast++;
            }
        }
        assertTrue(fast > 100_000, "the fast path should take the short values [fast=" + fast + "]");
    }

    @Test
    void timestampsMatchTheCodec() {
        SplittableRandom random = new SplittableRandom(7);
        long min = -62_135_596_800_000_000L; // 0001-01-01
        long max = 253_402_300_800_000_000L; // 10000-01-01
        for (int i = 0; i < 200_000; i++) {
            long micros = switch (i % 4) {
                case 0 -> random.nextLong(min - 10_000_000_000_000L, max + 10_000_000_000_000L);
                case 1 -> random.nextLong(-5_000_000_000_000_000L, 5_000_000_000_000_000L) / 1_000_000 * 1_000_000;
                case 2 -> random.nextLong(-100_000_000_000L, 100_000_000_000L); // around 1970, incl. before it
                default -> random.nextLong(-5_000_000_000_000_000L, 5_000_000_000_000_000L) / 1000 * 1000 + 10 * random.nextInt(10);
            };
            checkTimestamp(micros);
        }
        long[] edges = {0, -1, 1, min, min - 1, max - 1, max, Long.MAX_VALUE, Long.MIN_VALUE, 951_782_400_000_000L,
            -2_208_988_800_000_001L, 1_000_000, 999_999, 100_000, 120_000};
        for (long micros : edges) {
            checkTimestamp(micros);
        }
        byte[] b = new byte[TextBytes.MAX_LENGTH];
        assertEquals(TextBytes.NOT_FAST, TextBytes.writeTimestamp(b, 0, Long.MAX_VALUE));
        assertEquals(TextBytes.NOT_FAST, TextBytes.writeTimestamp(b, 0, max));
        assertEquals(19, TextBytes.writeTimestamp(b, 0, min));
    }

    @Test
    void timestampWriterMatchesTheCodecInAndAcrossDays() {
        SplittableRandom random = new SplittableRandom(11);
        TextBytes.TimestampWriter writer = new TextBytes.TimestampWriter();
        byte[] b = new byte[TextBytes.MAX_LENGTH + 1];
        long micros = -3_000_000_000_000_000L;
        for (int i = 0; i < 200_000; i++) {
            // mostly forward steps within a day, sometimes across days or years, sometimes anywhere
            micros = switch (i % 10) {
                case 0 -> random.nextLong(-70_000_000_000_000_000L, 260_000_000_000_000_000L);
                case 1 -> micros + random.nextLong(-400L * 86_400_000_000L, 400L * 86_400_000_000L);
                default -> micros + random.nextLong(0, 3_000_000_000L);
            };
            int end = writer.write(b, 1, micros);
            if (end != TextBytes.NOT_FAST) {
                assertEquals(TimestampType.INSTANCE.encodeText(micros), new String(b, 1, end - 1, StandardCharsets.US_ASCII),
                        "micros " + micros);
            } else {
                assertTrue(micros < -62_135_596_800_000_000L || micros >= 253_402_300_800_000_000L, "micros " + micros);
            }
        }
    }

    private static void checkTimestamp(long micros) {
        byte[] b = new byte[TextBytes.MAX_LENGTH + 2];
        int end = TextBytes.writeTimestamp(b, 2, micros);
        if (end != TextBytes.NOT_FAST) {
            assertEquals(TimestampType.INSTANCE.encodeText(micros), new String(b, 2, end - 2, StandardCharsets.US_ASCII),
                    "micros " + micros);
        }
    }

    @Test
    void longsMatchTheCodec() {
        SplittableRandom random = new SplittableRandom(3);
        byte[] b = new byte[TextBytes.MAX_LENGTH];
        for (int i = 0; i < 200_000; i++) {
            long v = random.nextLong() >> random.nextInt(64);
            int end = TextBytes.writeLong(b, 0, v);
            assertEquals(Long.toString(v), new String(b, 0, end, StandardCharsets.US_ASCII));
        }
        long[] edges = {0, 9, 10, 99, 100, 9_999_999_999L, 10_000_000_000L, 99_999_999_999L, 100_000_000_000L,
            Long.MAX_VALUE, Long.MIN_VALUE, -1, Long.MIN_VALUE + 1};
        for (long v : edges) {
            int end = TextBytes.writeLong(b, 0, v);
            assertEquals(Long.toString(v), new String(b, 0, end, StandardCharsets.US_ASCII));
        }
    }
}
