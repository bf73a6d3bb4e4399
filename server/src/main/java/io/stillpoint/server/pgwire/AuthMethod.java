package io.stillpoint.server.pgwire;

/** How clients prove who they are: SCRAM-SHA-256 (RFC 5802/7677, the default) or a cleartext password. */
public enum AuthMethod { SCRAM_SHA_256, CLEARTEXT }
