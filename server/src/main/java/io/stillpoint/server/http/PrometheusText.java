package io.stillpoint.server.http;

/**
 * Writes the Prometheus text exposition format, version 0.0.4: per metric a {@code # HELP} and a {@code # TYPE}
 * line, then its samples {@code name{label="value",...} number}, one per line, ending in a newline.
 *
 * <p>Written by hand rather than with a client library: the format is a few lines of text, the server exposes
 * about ten metrics, and a library would add a dependency (and its own registry) for no gain.
 */
public final class PrometheusText {
    /** The Content-Type of this format. */
    public static final String CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

    private final StringBuilder out = new StringBuilder(2048);

    /** Starts a metric family: its HELP and TYPE lines ({@code counter}, {@code gauge}, {@code histogram}). */
    public PrometheusText family(String name, String type, String help) {
        out.append("# HELP ").append(name).append(' ').append(help.replace("\\", "\\\\").replace("\n", "\\n"))
                .append('\n');
        out.append("# TYPE ").append(name).append(' ').append(type).append('\n');
        return this;
    }

    /** One sample without labels. */
    public PrometheusText sample(String name, double value) {
        out.append(name).append(' ').append(number(value)).append('\n');
        return this;
    }

    /** One sample with one label. */
    public PrometheusText sample(String name, String label, String labelValue, double value) {
        out.append(name).append('{').append(label).append("=\"").append(escape(labelValue)).append("\"} ")
                .append(number(value)).append('\n');
        return this;
    }

    /** A number as Prometheus reads it: integers without a fraction, {@code +Inf}, {@code -Inf}, {@code NaN}. */
    static String number(double v) {
        if (Double.isNaN(v)) {
            return "NaN";
        }
        if (Double.isInfinite(v)) {
            return v > 0 ? "+Inf" : "-Inf";
        }
        if (v == Math.rint(v) && Math.abs(v) < 1e15) {
            return Long.toString((long) v);
        }
        return java.math.BigDecimal.valueOf(v).stripTrailingZeros().toPlainString(); // 0.0005, not 5.0E-4, in le labels
    }

    private static String escape(String labelValue) {
        return labelValue.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n");
    }

    @Override
    public String toString() {
        return out.toString();
    }
}
