package io.stillpoint.server.exec;

import java.util.Map;

/** Opens executor sessions for authenticated connections. Thread-safe. */
public interface QueryEngine {

    /**
     * @param user           the authenticated user name
     * @param role           what that user may do
     * @param startupOptions the StartupMessage's parameters (user, database, client_encoding, DateStyle, ...)
     */
    Session openSession(String user, Role role, Map<String, String> startupOptions);
}
