package io.stillpoint.server.pgwire;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Instant;
import java.util.logging.ConsoleHandler;
import java.util.logging.Formatter;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/**
 * The wire server's logger: java.util.logging under {@code io.stillpoint.server.pgwire}, printing one line per
 * record to stderr ({@code 2026-11-21T10:00:00.123Z WARNING pgwire connection error [conn=3, ...]}, a stack trace
 * only for internal errors). If the process configures JUL itself (a logging config file or a SimpleFormatter
 * format), that configuration is left alone.
 */
final class WireLog {
    private static final Logger ROOT = Logger.getLogger("io.stillpoint.server.pgwire");

    static {
        if (System.getProperty("java.util.logging.config.file") == null
                && System.getProperty("java.util.logging.config.class") == null
                && System.getProperty("java.util.logging.SimpleFormatter.format") == null) {
            ConsoleHandler handler = new ConsoleHandler();
            handler.setFormatter(new OneLine());
            ROOT.addHandler(handler);
            ROOT.setUseParentHandlers(false);
        }
    }

    private WireLog() {}

    static Logger logger() {
        return ROOT;
    }

    private static final class OneLine extends Formatter {
        @Override
        public String format(LogRecord r) {
            StringBuilder sb = new StringBuilder(160)
                    .append(Instant.ofEpochMilli(r.getMillis())).append(' ')
                    .append(r.getLevel().getName()).append(" pgwire ").append(formatMessage(r))
                    .append(System.lineSeparator());
            if (r.getThrown() != null) {
                StringWriter trace = new StringWriter();
                r.getThrown().printStackTrace(new PrintWriter(trace));
                sb.append(trace);
            }
            return sb.toString();
        }
    }
}
