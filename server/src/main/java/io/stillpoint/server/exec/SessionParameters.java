package io.stillpoint.server.exec;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * The run-time parameters of one session (PostgreSQL's GUCs as far as clients look at them): the defaults a
 * PostgreSQL 15 server reports, the values from the StartupMessage, and whatever SET stored since. Names are
 * case-insensitive; each known parameter keeps PostgreSQL's spelling (DateStyle, TimeZone) for ParameterStatus
 * and as the column name of SHOW.
 */
final class SessionParameters {

    static final String SERVER_VERSION = "15.0 (Stillpoint 0.1.0)";

    /** The 13 parameters PostgreSQL 15 reports after authentication, in its order. */
    private static final List<String> REPORTED = List.of("application_name", "client_encoding", "DateStyle",
            "default_transaction_read_only", "in_hot_standby", "integer_datetimes", "IntervalStyle", "is_superuser",
            "server_encoding", "server_version", "session_authorization", "standard_conforming_strings", "TimeZone");

    /** Lower-case name to the canonical spelling, for every parameter that has one. */
    private final Map<String, String> canonical = new TreeMap<>();
    /** Lower-case name to the value; defaults first, then startup options, then SET. */
    private final Map<String, String> values = new LinkedHashMap<>();
    private final Map<String, String> defaults = new LinkedHashMap<>();

    SessionParameters(String user, Role role, Map<String, String> startupOptions) {
        boolean readOnly = role == Role.READ_ONLY;
        define("application_name", "");
        define("client_encoding", "UTF8");
        define("DateStyle", "ISO, MDY");
        define("default_transaction_read_only", readOnly ? "on" : "off");
        define("in_hot_standby", "off");
        define("integer_datetimes", "on");
        define("IntervalStyle", "postgres");
        define("is_superuser", readOnly ? "off" : "on");
        define("server_encoding", "UTF8");
        define("server_version", SERVER_VERSION);
        define("server_version_num", "150000");
        define("session_authorization", user);
        define("standard_conforming_strings", "on");
        define("TimeZone", "Etc/UTC");
        define("transaction_isolation", "read committed");
        define("default_transaction_isolation", "read committed");
        define("transaction_read_only", readOnly ? "on" : "off");
        define("extra_float_digits", "1");
        define("search_path", "\"$user\", public");
        define("max_identifier_length", "63");
        define("lc_messages", "C");
        define("statement_timeout", "0");
        define("lock_timeout", "0");
        define("idle_in_transaction_session_timeout", "0");
        if (startupOptions != null) {
            for (Map.Entry<String, String> e : startupOptions.entrySet()) {
                String key = e.getKey().toLowerCase(Locale.ROOT);
                if (key.equals("user") || key.equals("database") || key.equals("options") || key.equals("replication")) {
                    continue;
                }
                if (key.equals("client_encoding") && !isUtf8(e.getValue())) {
                    continue; // we only speak UTF8; keep reporting it, as PostgreSQL converts for the client
                }
                String value = e.getValue();
                if (key.equals("datestyle")) {
                    try {
                        value = normalizeDateStyle(value);
                    } catch (SqlError unsupported) {
                        continue; // keep ISO: output is ISO whatever the client asked
                    }
                }
                values.put(key, value);
                defaults.put(key, value); // RESET / SET ... TO DEFAULT return to the startup value, as in PostgreSQL
                canonical.putIfAbsent(key, e.getKey());
            }
        }
    }

    private void define(String name, String value) {
        String key = name.toLowerCase(Locale.ROOT);
        canonical.put(key, name);
        values.put(key, value);
        defaults.put(key, value);
    }

    /** PostgreSQL reports DateStyle with both parts, e.g. "ISO" becomes "ISO, MDY"; only ISO output is supported. */
    static String normalizeDateStyle(String v) {
        String s = v.trim().toUpperCase(Locale.ROOT);
        if (!s.contains("ISO") && (s.contains("SQL") || s.contains("GERMAN") || s.contains("POSTGRES"))) {
            throw new SqlError("22023", "date style is not supported, only ISO [value=" + v + "]");
        }
        String order = s.contains("DMY") || s.contains("EURO") ? "DMY" : s.contains("YMD") ? "YMD" : "MDY";
        return "ISO, " + order;
    }

    static boolean isUtf8(String v) {
        String s = v.trim().toUpperCase(Locale.ROOT).replace("-", "").replace("_", "");
        return s.equals("UTF8") || s.equals("UNICODE");
    }

    static boolean isUtcZone(String v) {
        String s = v.trim().toUpperCase(Locale.ROOT);
        return switch (s) {
            case "UTC", "ETC/UTC", "GMT", "ETC/GMT", "Z", "ZULU", "UCT", "ETC/UCT", "UNIVERSAL", "ETC/UNIVERSAL",
                 "GREENWICH", "0", "+0", "-0", "00:00", "+00", "-00", "+00:00", "-00:00", "GMT0", "ETC/GMT0",
                 "ETC/GMT+0", "ETC/GMT-0", "ETC/ZULU" -> true;
            default -> false;
        };
    }

    /** The value of a parameter, or null if the session has never heard of it. */
    String get(String name) {
        return values.get(name.toLowerCase(Locale.ROOT));
    }

    /** PostgreSQL's spelling of a parameter name (the name itself for unknown parameters). */
    String canonicalName(String name) {
        String key = name.toLowerCase(Locale.ROOT);
        return canonical.getOrDefault(key, key);
    }

    /**
     * Stores a value; null resets to the default (SET ... TO DEFAULT). Refuses encodings other than UTF8 and
     * time zones other than UTC (timestamps are stored and shown in UTC).
     */
    void set(String name, String value) {
        String key = name.toLowerCase(Locale.ROOT);
        switch (key) {
            case "time zone", "time_zone", "timezone" -> key = "timezone";
            default -> { }
        }
        if (value == null) {
            String d = defaults.get(key);
            if (d == null) {
                values.remove(key);
            } else {
                values.put(key, d);
            }
            return;
        }
        switch (key) {
            case "client_encoding":
                if (!isUtf8(value)) {
                    throw new SqlError("22023", "client encoding is not supported [value=" + value + "]");
                }
                value = "UTF8";
                break;
            case "timezone":
                if (!isUtcZone(value) && !value.equals(values.get("timezone"))) {
                    throw new SqlError("22023", "time zone is not supported, only UTC [value=" + value + "]");
                }
                break;
            case "server_version", "server_encoding", "integer_datetimes", "is_superuser", "in_hot_standby",
                 "session_authorization", "server_version_num", "max_identifier_length":
                throw new SqlError("55P02", "parameter cannot be changed [name=" + key + "]");
            case "datestyle":
                value = normalizeDateStyle(value);
                break;
            case "statement_timeout":
                value = Long.toString(parseDurationMillis(key, value));
                break;
            case "session_characteristics", "transaction":
                // Transaction modes: accepted; every transaction here is read committed.
                values.put(key, value);
                return;
            default:
                break;
        }
        if (!canonical.containsKey(key)) {
            canonical.put(key, key);
        }
        values.put(key, value);
    }

    /** statement_timeout in milliseconds; 0: off. Values were checked when set; a bad startup value counts as off. */
    long statementTimeoutMillis() {
        String v = values.get("statement_timeout");
        if (v == null || v.equals("0")) {
            return 0;
        }
        if (v.equals(lastTimeoutText)) {
            return lastTimeoutMillis;
        }
        long ms;
        try {
            ms = parseDurationMillis("statement_timeout", v);
        } catch (SqlError e) {
            ms = 0;
        }
        lastTimeoutText = v;
        lastTimeoutMillis = ms;
        return ms;
    }

    private String lastTimeoutText;
    private long lastTimeoutMillis;

    /**
     * A PostgreSQL time setting: a number of milliseconds, or a number with a unit {@code us, ms, s, min, h, d}
     * (a space between is allowed); 0 or negative is off (0). Fractions round down to whole milliseconds.
     */
    static long parseDurationMillis(String name, String text) {
        String t = text.trim().toLowerCase(Locale.ROOT);
        int i = 0;
        while (i < t.length() && (Character.isDigit(t.charAt(i)) || t.charAt(i) == '.' || t.charAt(i) == '-')) {
            i++;
        }
        String number = t.substring(0, i);
        String unit = t.substring(i).trim();
        double factor = switch (unit) {
            case "", "ms" -> 1;
            case "us" -> 0.001;
            case "s" -> 1000;
            case "min" -> 60_000;
            case "h" -> 3_600_000;
            case "d" -> 86_400_000;
            default -> -1;
        };
        double n;
        try {
            n = Double.parseDouble(number);
        } catch (NumberFormatException e) {
            n = Double.NaN;
        }
        if (factor < 0 || Double.isNaN(n) || Double.isInfinite(n)) {
            throw new SqlError("22023", "invalid value for parameter [name=" + name + ", value=" + text
                    + ", expected=a number of ms or with a unit us|ms|s|min|h|d]");
        }
        double ms = n * factor;
        if (ms > Integer.MAX_VALUE) {
            throw new SqlError("22023", "value out of range for parameter [name=" + name + ", value=" + text
                    + ", max=" + Integer.MAX_VALUE + "ms]");
        }
        return ms <= 0 ? 0 : Math.max(1, (long) ms);
    }

    /** The ParameterStatus entries sent after authentication. */
    Map<String, String> initialReport() {
        Map<String, String> report = new LinkedHashMap<>();
        for (String name : REPORTED) {
            report.put(name, values.get(name.toLowerCase(Locale.ROOT)));
        }
        return report;
    }

    /** SHOW ALL: name and setting of every parameter, sorted by name. */
    List<Object[]> all() {
        List<Object[]> rows = new ArrayList<>();
        Map<String, String> sorted = new TreeMap<>(values);
        sorted.remove("session_characteristics");
        sorted.remove("transaction");
        for (Map.Entry<String, String> e : sorted.entrySet()) {
            rows.add(new Object[] {canonicalName(e.getKey()), e.getValue(), ""});
        }
        return rows;
    }
}
