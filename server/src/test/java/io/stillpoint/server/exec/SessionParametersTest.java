package io.stillpoint.server.exec;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** ParameterStatus, SET and SHOW. */
class SessionParametersTest extends ExecTestSupport {

    @Test
    void initialParameterStatusMatchesPostgres15() {
        Map<String, String> p = session.initialParameterStatus();
        assertEquals(List.of("application_name", "client_encoding", "DateStyle", "default_transaction_read_only",
                "in_hot_standby", "integer_datetimes", "IntervalStyle", "is_superuser", "server_encoding", "server_version",
                "session_authorization", "standard_conforming_strings", "TimeZone"), List.copyOf(p.keySet()));
        assertEquals("tests", p.get("application_name"));
        assertEquals("UTF8", p.get("client_encoding"));
        assertEquals("ISO, MDY", p.get("DateStyle"));
        assertEquals("off", p.get("default_transaction_read_only"));
        assertEquals("on", p.get("integer_datetimes"));
        assertEquals("on", p.get("is_superuser"));
        assertTrue(p.get("server_version").matches("15\\.0 .*"));
        assertEquals("admin", p.get("session_authorization"));
        assertEquals("on", p.get("standard_conforming_strings"));
        assertEquals("Etc/UTC", p.get("TimeZone"));

        Session jdbc = open("bob", Role.READ_ONLY, Map.of("user", "bob", "DateStyle", "ISO", "TimeZone", "Europe/Berlin",
                "client_encoding", "UTF8"));
        Map<String, String> q = jdbc.initialParameterStatus();
        assertEquals("", q.get("application_name"));
        assertEquals("ISO, MDY", q.get("DateStyle"));
        assertEquals("Europe/Berlin", q.get("TimeZone"));
        assertEquals("on", q.get("default_transaction_read_only"));
        assertEquals("off", q.get("is_superuser"));
        assertEquals("stillpoint", run(jdbc, "SELECT current_database()").get(0).value());
    }

    @Test
    void setAndShow() {
        assertEquals("SET", one("SET application_name = 'PostgreSQL JDBC Driver'").tag());
        Outcome o = one("SHOW application_name");
        assertEquals("SHOW", o.tag());
        assertEquals(List.of(new ResultColumn("application_name", DataType.TEXT)), o.columns());
        assertEquals("PostgreSQL JDBC Driver", o.value());
        assertEquals("PostgreSQL JDBC Driver", session.parameter("application_name"));
        run("SET extra_float_digits = 3");
        assertEquals("3", value("SHOW extra_float_digits"));
        run("SET my.custom = 'x'");
        assertEquals("x", value("SHOW my.custom"));
        assertEquals("read committed", value("SHOW TRANSACTION ISOLATION LEVEL"));
        assertEquals("DateStyle", one("SHOW datestyle").columns().get(0).name());
        run("SET SESSION CHARACTERISTICS AS TRANSACTION ISOLATION LEVEL READ COMMITTED");
        run("SET TIME ZONE 'UTC'");
        assertEquals("UTC", value("SHOW TIME ZONE"));
        run("SET client_encoding = 'utf-8'");
        assertEquals("UTF8", value("SHOW client_encoding"));
        assertTrue(rows("SHOW ALL").size() > 15);
        run("SET application_name TO DEFAULT");
        assertEquals("tests", value("SHOW application_name"), "DEFAULT is the session's startup value");
    }

    @Test
    void setAndShowErrors() {
        SqlError e = error("SHOW nope");
        assertEquals("42704", e.sqlState());
        assertEquals("unrecognized configuration parameter [name=nope]", e.getMessage());
        assertEquals("22023", error("SET client_encoding = 'LATIN1'").sqlState());
        assertEquals("22023", error("SET TIME ZONE 'Europe/Berlin'").sqlState());
        assertEquals("UTF8", value("SHOW client_encoding"));
    }

    @Test
    void emptyQuery() {
        List<Prepared> p = session.prepareAll("");
        assertEquals(1, p.size());
        assertTrue(session.execute(p.get(0), new Object[0]) instanceof Result.Empty);
        session.endImplicitTransaction(false);
    }
}
