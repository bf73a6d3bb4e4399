package io.stillpoint.server.pgwire;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The accounts and how their passwords are checked. SCRAM credentials are derived once per server start with a
 * fresh random salt per user, so connecting costs no PBKDF2 run. Thread-safe (immutable).
 */
final class Authenticator {
    private final AuthMethod method;
    private final Map<String, UserAccount> users = new HashMap<>();
    private final Map<String, ScramSha256.Credentials> scram = new HashMap<>();
    /** Salt for unknown users, fixed per start so repeated probes cannot tell them from real ones. */
    private final byte[] mockSalt = ScramSha256.randomBytes(16);

    Authenticator(AuthMethod method, List<UserAccount> accounts) {
        this.method = method;
        for (UserAccount a : accounts) {
            users.put(a.name(), a);
            if (method == AuthMethod.SCRAM_SHA_256) {
                byte[] salt = ScramSha256.randomBytes(16);
                // An empty password cannot log in (PostgreSQL refuses empty passwords too).
                scram.put(a.name(), a.password().isEmpty() ? ScramSha256.Credentials.impossible(salt)
                        : ScramSha256.Credentials.derive(a.password(), salt, ScramSha256.ITERATIONS));
            }
        }
    }

    AuthMethod method() {
        return method;
    }

    /** The account, or null if there is none of that name. */
    UserAccount account(String user) {
        return users.get(user);
    }

    /** Starts a SCRAM exchange; unknown users get credentials no proof matches. */
    ScramSha256.Exchange startScram(String user) {
        ScramSha256.Credentials c = scram.get(user);
        return new ScramSha256.Exchange(c != null ? c : ScramSha256.Credentials.impossible(mockSalt));
    }

    /** Constant-time cleartext check; false for unknown users and empty passwords. */
    boolean checkCleartext(String user, String password) {
        UserAccount a = users.get(user);
        byte[] expected = (a == null ? "\u0000unknown" : a.password()).getBytes(StandardCharsets.UTF_8);
        boolean equal = MessageDigest.isEqual(expected, password.getBytes(StandardCharsets.UTF_8));
        return a != null && !a.password().isEmpty() && equal;
    }
}
