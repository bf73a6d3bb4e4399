package io.stillpoint.server.pgwire;

import io.stillpoint.server.http.Metrics;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

/** The connection limit and the TLS requirement, decided at the StartupMessage. */
class ConnectionAdmissionTest {

    @Test
    void limitCountsAdmittedSessionsAndReleaseFreesASlot() {
        Metrics metrics = new Metrics();
        ConnectionAdmission a = new ConnectionAdmission(2, false, metrics);
        assertNull(a.admit(false, "u"));
        assertNull(a.admit(true, "u"));
        Inbound.Refused refused = a.admit(false, "u");
        assertEquals("53300", refused.sqlState());
        assertEquals("too many connections [limit=2]", refused.message());
        assertEquals(2, metrics.connections());
        a.release();
        assertEquals(1, metrics.connections());
        assertNull(a.admit(false, "u"));
    }

    @Test
    void tlsRequiredRefusesPlainStartupsWithTheUserName() {
        ConnectionAdmission a = new ConnectionAdmission(10, true, new Metrics());
        Inbound.Refused refused = a.admit(false, "alice");
        assertEquals("28000", refused.sqlState());
        assertEquals("tls is required, connect with sslmode=require [user=alice]", refused.message());
        assertNull(a.admit(true, "alice"));
    }

    @Test
    void userIsReadFromTheStartupBody() {
        byte[] body = "database\0db\0user\0bob\0application_name\0psql\0\0".getBytes(StandardCharsets.UTF_8);
        assertEquals("bob", ConnectionAdmission.userOf(body));
        assertEquals("", ConnectionAdmission.userOf("database\0db\0\0".getBytes(StandardCharsets.UTF_8)));
        assertEquals("", ConnectionAdmission.userOf(new byte[0]));
    }
}
