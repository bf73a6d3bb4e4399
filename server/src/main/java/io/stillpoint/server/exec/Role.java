package io.stillpoint.server.exec;

/** What an authenticated user may do. READ_ONLY may read but gets 42501 on anything that writes. */
public enum Role { ADMIN, READ_ONLY }
