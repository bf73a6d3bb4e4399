package io.stillpoint.server.pgwire;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.stillpoint.server.exec.DataType;
import io.stillpoint.server.exec.ResultColumn;
import io.stillpoint.sql.ast.CopyOptions;
import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** COPY TO's whole-message fast path writes byte for byte what the general per-value path writes. */
class CopyOutWriterTest {

    private static final List<ResultColumn> ALL_PLAIN = List.of(new ResultColumn("ts", DataType.TIMESTAMP),
            new ResultColumn("id", DataType.INT8), new ResultColumn("v", DataType.FLOAT8),
            new ResultColumn("i", DataType.INT4), new ResultColumn("s", DataType.INT2),
            new ResultColumn("b", DataType.BOOL), new ResultColumn("f", DataType.FLOAT4),
            new ResultColumn("n", DataType.NUMERIC));

    @Test
    void fastMessagesEqualTheGeneralPathForRandomRows() {
        SplittableRandom random = new SplittableRandom(42);
        CopyOptions pipes = new CopyOptions(CopyOptions.Format.CSV, false, '|', "NULL-TEXT", '"', '"');
        for (CopyOptions options : List.of(CopyOptions.CSV, CopyOptions.TEXT, pipes)) {
            CopyOutWriter writer = new CopyOutWriter(options, ALL_PLAIN);
            for (int i = 0; i < 50_000; i++) {
                Object[] row = {
                    nullOr(random, timestamp(random)), nullOr(random, random.nextLong() >> random.nextInt(64)),
                    nullOr(random, float8(random)), nullOr(random, random.nextInt()),
                    nullOr(random, (short) random.nextInt()), nullOr(random, random.nextBoolean()),
                    nullOr(random, (float) float8(random)),
                    nullOr(random, BigDecimal.valueOf(random.nextLong(), random.nextInt(-3, 10)))};
                assertSame(writer, options, row);
            }
            // a short row: the missing values are NULLs on both paths
            assertSame(writer, options, new Object[] {0L});
        }
    }

    @Test
    void rowsWithTextColumnsTakeTheGeneralPath() {
        CopyOutWriter writer = new CopyOutWriter(CopyOptions.CSV,
                List.of(new ResultColumn("id", DataType.INT8), new ResultColumn("s", DataType.TEXT)));
        ByteBuf out = Unpooled.buffer();
        assertFalse(writer.writeRowMessage(out, new Object[] {1L, "a,b"}));
        assertEquals(0, out.readableBytes());
        // a delimiter that can occur in numbers' text: every value goes the general (quoting) way
        CopyOutWriter dots = new CopyOutWriter(new CopyOptions(CopyOptions.Format.CSV, false, '.', "", '"', '"'),
                List.of(new ResultColumn("v", DataType.FLOAT8)));
        assertFalse(dots.writeRowMessage(out, new Object[] {1.5}));
        BackendMessages.copyDataRow(out, dots, new Object[] {1.5});
        assertEquals("\"1.5\"\n", out.toString(5, out.readableBytes() - 5, StandardCharsets.UTF_8));
    }

    @Test
    void benchmarkRowsAreTheExpectedText() {
        CopyOutWriter writer = new CopyOutWriter(CopyOptions.CSV, ALL_PLAIN.subList(0, 3));
        ByteBuf out = Unpooled.buffer();
        assertTrue(writer.writeRowMessage(out, new Object[] {1_793_491_200_000_000L + 1_000_001L, 3L, 1.5}));
        assertTrue(writer.writeRowMessage(out, new Object[] {-1L, -0L, -0.0}));
        assertTrue(writer.writeRowMessage(out, new Object[] {null, null, null}));
        String first = "2026-11-01 00:00:01.000001,3,1.5\n";
        assertEquals('d', out.readByte());
        assertEquals(first.length() + 4, out.readInt());
        assertEquals(first, out.readCharSequence(first.length(), StandardCharsets.US_ASCII).toString());
        String second = "1969-12-31 23:59:59.999999,0,-0\n";
        out.skipBytes(5);
        assertEquals(second, out.readCharSequence(second.length(), StandardCharsets.US_ASCII).toString());
        out.skipBytes(5);
        assertEquals(",,\n", out.toString(StandardCharsets.US_ASCII));
    }

    private static void assertSame(CopyOutWriter writer, CopyOptions options, Object[] row) {
        ByteBuf general = Unpooled.buffer();
        writer.writeRow(general, row);
        ByteBuf fast = Unpooled.buffer();
        assertTrue(writer.writeRowMessage(fast, row));
        assertEquals('d', fast.readByte());
        int length = fast.readInt();
        assertEquals(length - 4, fast.readableBytes());
        assertEquals(ByteBufUtil.hexDump(general), ByteBufUtil.hexDump(fast),
                () -> options.format() + " row " + java.util.Arrays.toString(row) + ": "
                        + general.toString(StandardCharsets.UTF_8) + " vs " + fast.toString(StandardCharsets.UTF_8));
    }

    private static Object nullOr(SplittableRandom random, Object value) {
        return random.nextInt(10) == 0 ? null : value;
    }

    /** Years 1 to 9999 mostly, some outside (BC, 5 digits) and the infinities. */
    private static long timestamp(SplittableRandom random) {
        return switch (random.nextInt(8)) {
            case 0 -> random.nextBoolean() ? Long.MAX_VALUE : Long.MIN_VALUE;
            case 1 -> random.nextLong(-100_000_000_000_000_000L, 300_000_000_000_000_000L);
            case 2 -> random.nextLong(-1_000_000_000_000L, 1_000_000_000_000L);
            default -> random.nextLong(-62_135_596_800_000_000L, 253_402_300_800_000_000L);
        };
    }

    /** Halves, binary fractions, integers, random bits (NaN, infinities, huge and tiny), decimal fractions. */
    private static double float8(SplittableRandom random) {
        return switch (random.nextInt(7)) {
            case 0 -> Double.longBitsToDouble(random.nextLong());
            case 1 -> random.nextLong(-1_000_000_000, 1_000_000_000) * 0.5;
            case 2 -> Math.scalb((double) random.nextLong(-(1L << 30), 1L << 30), -random.nextInt(0, 40));
            case 3 -> new double[] {Double.NaN, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY, -0.0, 0.0,
                Double.MIN_VALUE, Double.MAX_VALUE}[random.nextInt(7)];
            case 4 -> random.nextDouble() * Math.pow(10, random.nextInt(-10, 20));
            default -> random.nextInt(-1_000_000, 1_000_000) / 100.0;
        };
    }
}
