package io.stillpoint.server.pgwire;

import io.stillpoint.server.exec.Role;

import java.util.Objects;

/** A user the server accepts: name, password and what the user may do. */
public record UserAccount(String name, String password, Role role) {
    public UserAccount {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(password, "password");
        Objects.requireNonNull(role, "role");
    }

    /** Hides the password from logs. */
    @Override
    public String toString() {
        return "UserAccount[name=" + name + ", role=" + role + "]";
    }
}
