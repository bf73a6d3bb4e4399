package io.stillpoint.server.exec;

import io.stillpoint.storage.ColumnChunk;

import java.util.HashSet;
import java.util.Set;

/**
 * The aggregate functions count, sum, min, max and avg: their result types and their accumulators.
 * Accumulators take boxed values one at a time (grouped aggregation) or whole column chunks with a selection
 * vector (ungrouped aggregation over a table), the latter in primitive loops.
 *
 * <p>Result types: count is INT8; sum of INT4/INT8 is INT8 (22003 on overflow), sum of FLOAT8 is FLOAT8;
 * avg is FLOAT8 for every numeric input (PostgreSQL returns numeric for integer input; we return double
 * precision); sum and avg of INTERVAL are INTERVAL (field-wise sum, avg as PostgreSQL's interval / count);
 * min and max keep their argument's type.
 */
final class Aggregates {

    private Aggregates() {}

    /** One aggregate call of a query. {@code arg} is null for count(*); {@code column} the source column when arg is one, else -1. */
    record Spec(String function, Ev arg, boolean distinct, DataType resultType, int column) {

        Acc newAccumulator() {
            Acc acc = switch (function) {
                case "count" -> arg == null ? new CountStar() : new Count();
                case "sum" -> arg.type == DataType.INTERVAL ? new SumInterval(false)
                        : arg.type == DataType.FLOAT8 ? new SumDouble() : new SumLong();
                case "avg" -> arg.type == DataType.INTERVAL ? new SumInterval(true)
                        : arg.type == DataType.FLOAT8 ? new AvgDouble() : new AvgLong();
                case "min" -> new MinMax(true, resultType);
                case "max" -> new MinMax(false, resultType);
                default -> throw new IllegalStateException("not an aggregate: " + function);
            };
            return distinct ? new Distinct(acc) : acc;
        }

        /** Whether {@link Acc#addChunk} can feed this aggregate straight from its column. */
        boolean columnar() {
            return !distinct && (arg == null || column >= 0);
        }
    }

    /** Checks an aggregate call's argument and returns its result type, or throws 42883. */
    static DataType resultType(String function, Ev arg, int position) {
        if (function.equals("count")) {
            return DataType.INT8;
        }
        DataType t = arg.type;
        switch (function) {
            case "sum":
                if (t == DataType.INT4 || t == DataType.INT8) {
                    return DataType.INT8;
                }
                if (t == DataType.INTERVAL) {
                    return DataType.INTERVAL;
                }
                if (t == DataType.FLOAT8) {
                    return DataType.FLOAT8;
                }
                break;
            case "avg":
                if (Values.isNumeric(t)) {
                    return DataType.FLOAT8;
                }
                if (t == DataType.INTERVAL) {
                    return DataType.INTERVAL;
                }
                break;
            case "min", "max":
                return t == DataType.UNKNOWN ? DataType.TEXT : t;
            default:
                break;
        }
        throw Errors.undefinedFunction(function + "(" + Values.typeName(t) + ")", position);
    }

    /** Accumulates one aggregate of one group. */
    abstract static class Acc {
        /** Adds a non-null or null value (nulls are ignored by everything but count(*)). */
        abstract void add(Object v);

        /** Adds the selected rows of a chunk ({@code sel} null: the first n rows). */
        void addChunk(ColumnChunk c, int[] sel, int n) {
            for (int k = 0; k < n; k++) {
                int i = sel == null ? k : sel[k];
                add(c.isNull(i) ? null : c.getValue(i));
            }
        }

        /** count(*) over n rows without reading any column. */
        void addRows(long n) {
            throw new IllegalStateException("not count(*)");
        }

        abstract Object result();
    }

    static final class CountStar extends Acc {
        long count;

        @Override
        void add(Object v) {
            count++;
        }

        @Override
        void addRows(long n) {
            count += n;
        }

        @Override
        Object result() {
            return count;
        }
    }

    static final class Count extends Acc {
        long count;

        @Override
        void add(Object v) {
            if (v != null) {
                count++;
            }
        }

        @Override
        void addChunk(ColumnChunk c, int[] sel, int n) {
            long k2 = 0;
            for (int k = 0; k < n; k++) {
                if (!c.isNull(sel == null ? k : sel[k])) {
                    k2++;
                }
            }
            count += k2;
        }

        @Override
        Object result() {
            return count;
        }
    }

    static SqlError bigintOverflow() {
        return new SqlError("22003", "bigint out of range [function=sum]");
    }

    static final class SumLong extends Acc {
        long sum;
        boolean any;

        @Override
        void add(Object v) {
            if (v != null) {
                try {
                    sum = Math.addExact(sum, ((Number) v).longValue());
                } catch (ArithmeticException e) {
                    throw bigintOverflow();
                }
                any = true;
            }
        }

        @Override
        void addChunk(ColumnChunk c, int[] sel, int n) {
            long s = sum;
            boolean seen = any;
            try {
                for (int k = 0; k < n; k++) {
                    int i = sel == null ? k : sel[k];
                    if (!c.isNull(i)) {
                        s = Math.addExact(s, c.getLong(i));
                        seen = true;
                    }
                }
            } catch (ArithmeticException e) {
                throw bigintOverflow();
            }
            sum = s;
            any = seen;
        }

        @Override
        Object result() {
            return any ? sum : null;
        }
    }

    static final class SumDouble extends Acc {
        double sum;
        boolean any;

        @Override
        void add(Object v) {
            if (v != null) {
                sum += ((Number) v).doubleValue();
                any = true;
            }
        }

        @Override
        void addChunk(ColumnChunk c, int[] sel, int n) {
            double s = sum;
            boolean seen = any;
            for (int k = 0; k < n; k++) {
                int i = sel == null ? k : sel[k];
                if (!c.isNull(i)) {
                    s += c.getDouble(i);
                    seen = true;
                }
            }
            sum = s;
            any = seen;
        }

        @Override
        Object result() {
            return any ? sum : null;
        }
    }

    /** sum or avg of intervals: a field-wise sum (22008 on overflow), divided by the count for avg. */
    static final class SumInterval extends Acc {
        final boolean average;
        io.stillpoint.sql.IntervalValue sum;
        long count;

        SumInterval(boolean average) {
            this.average = average;
        }

        @Override
        void add(Object v) {
            if (v != null) {
                io.stillpoint.sql.IntervalValue x = (io.stillpoint.sql.IntervalValue) v;
                sum = sum == null ? x : IntervalMath.add(sum, x, false);
                count++;
            }
        }

        @Override
        Object result() {
            return sum == null || !average ? sum : IntervalMath.divide(sum, count);
        }
    }

    /** avg of integers: an exact long sum while it fits, a double sum after that. */
    static final class AvgLong extends Acc {
        long sum;
        double overflowSum;
        boolean overflowed;
        long count;

        private void addLong(long x) {
            if (!overflowed) {
                long r = sum + x;
                if (((sum ^ r) & (x ^ r)) < 0) {
                    overflowed = true;
                    overflowSum = (double) sum + x;
                } else {
                    sum = r;
                }
            } else {
                overflowSum += x;
            }
            count++;
        }

        @Override
        void add(Object v) {
            if (v != null) {
                if (v instanceof Double d) {
                    overflowed = true;
                    overflowSum = sum + overflowSum + d;
                    sum = 0;
                    count++;
                } else {
                    addLong(((Number) v).longValue());
                }
            }
        }

        @Override
        void addChunk(ColumnChunk c, int[] sel, int n) {
            for (int k = 0; k < n; k++) {
                int i = sel == null ? k : sel[k];
                if (!c.isNull(i)) {
                    addLong(c.getLong(i));
                }
            }
        }

        @Override
        Object result() {
            if (count == 0) {
                return null;
            }
            return (overflowed ? overflowSum : (double) sum) / count;
        }
    }

    static final class AvgDouble extends Acc {
        double sum;
        long count;

        @Override
        void add(Object v) {
            if (v != null) {
                sum += ((Number) v).doubleValue();
                count++;
            }
        }

        @Override
        void addChunk(ColumnChunk c, int[] sel, int n) {
            double s = sum;
            long cnt = count;
            for (int k = 0; k < n; k++) {
                int i = sel == null ? k : sel[k];
                if (!c.isNull(i)) {
                    s += c.getDouble(i);
                    cnt++;
                }
            }
            sum = s;
            count = cnt;
        }

        @Override
        Object result() {
            return count == 0 ? null : sum / count;
        }
    }

    static final class MinMax extends Acc {
        final boolean min;
        final DataType type;
        Object best;
        // primitive tracking for chunks of integer-like and double columns
        boolean anyLong;
        long bestLong;
        boolean anyDouble;
        double bestDouble;

        MinMax(boolean min, DataType type) {
            this.min = min;
            this.type = type;
        }

        @Override
        void add(Object v) {
            if (v != null && (best == null || (Values.compare(v, best) < 0) == min && Values.compare(v, best) != 0)) {
                best = v;
            }
        }

        @Override
        void addChunk(ColumnChunk c, int[] sel, int n) {
            switch (type) {
                case INT4, INT8, TIMESTAMP: {
                    boolean any = anyLong;
                    long b = bestLong;
                    for (int k = 0; k < n; k++) {
                        int i = sel == null ? k : sel[k];
                        if (!c.isNull(i)) {
                            long x = c.getLong(i);
                            if (!any || (min ? x < b : x > b)) {
                                b = x;
                                any = true;
                            }
                        }
                    }
                    anyLong = any;
                    bestLong = b;
                    return;
                }
                case FLOAT8: {
                    boolean any = anyDouble;
                    double b = bestDouble;
                    for (int k = 0; k < n; k++) {
                        int i = sel == null ? k : sel[k];
                        if (!c.isNull(i)) {
                            double x = c.getDouble(i);
                            if (!any || (min ? Values.compareDoubles(x, b) < 0 : Values.compareDoubles(x, b) > 0)) {
                                b = x;
                                any = true;
                            }
                        }
                    }
                    anyDouble = any;
                    bestDouble = b;
                    return;
                }
                default:
                    super.addChunk(c, sel, n);
            }
        }

        @Override
        Object result() {
            if (anyLong) {
                add(type == DataType.INT4 ? (Object) (int) bestLong : (Object) bestLong);
                anyLong = false;
            }
            if (anyDouble) {
                add(bestDouble);
                anyDouble = false;
            }
            return best;
        }
    }

    /** DISTINCT: feeds each distinct non-null value once to the wrapped accumulator. */
    static final class Distinct extends Acc {
        final Acc inner;
        final Set<Object> seen = new HashSet<>();

        Distinct(Acc inner) {
            this.inner = inner;
        }

        @Override
        void add(Object v) {
            if (v != null && seen.add(v)) {
                inner.add(v);
            }
        }

        @Override
        Object result() {
            return inner.result();
        }
    }
}
