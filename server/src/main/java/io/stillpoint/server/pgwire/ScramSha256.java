package io.stillpoint.server.pgwire;

import javax.crypto.Mac;
import javax.crypto.SecretKeyFactory;
import javax.crypto.spec.PBEKeySpec;
import javax.crypto.spec.SecretKeySpec;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;

/**
 * Server side of SCRAM-SHA-256 (RFC 5802 with RFC 7677), as PostgreSQL runs it inside AuthenticationSASL.
 *
 * <pre>
 * client-first  = gs2-header client-first-bare      gs2-header = ("n" | "y") "," [authzid] ","
 * client-first-bare = "n=" user ",r=" c-nonce       (pgjdbc sends n=*: the user comes from the StartupMessage)
 * server-first  = "r=" c-nonce s-nonce ",s=" base64(salt) ",i=" iterations
 * client-final  = "c=" base64(gs2-header) ",r=" c-nonce s-nonce ",p=" base64(ClientProof)
 * server-final  = "v=" base64(ServerSignature)
 *
 * SaltedPassword  = PBKDF2-HMAC-SHA-256(password, salt, iterations)
 * StoredKey       = SHA-256(HMAC(SaltedPassword, "Client Key"));  ServerKey = HMAC(SaltedPassword, "Server Key")
 * AuthMessage     = client-first-bare "," server-first "," client-final-without-proof
 * ClientProof     = ClientKey XOR HMAC(StoredKey, AuthMessage): valid iff SHA-256(proof XOR signature) = StoredKey
 * ServerSignature = HMAC(ServerKey, AuthMessage)
 * </pre>
 * Channel binding (SCRAM-SHA-256-PLUS, gs2 flag "p") is not offered, since the server does not speak TLS.
 */
final class ScramSha256 {
    static final String MECHANISM = "SCRAM-SHA-256";
    static final int ITERATIONS = 4096;

    private static final SecureRandom RANDOM = new SecureRandom();

    /** What the server keeps of a password: salt, iteration count and the two derived keys. */
    record Credentials(byte[] salt, int iterations, byte[] storedKey, byte[] serverKey) {

        static Credentials derive(String password, byte[] salt, int iterations) {
            byte[] salted = pbkdf2(password, salt, iterations);
            byte[] clientKey = hmac(salted, "Client Key".getBytes(StandardCharsets.US_ASCII));
            return new Credentials(salt, iterations, sha256(clientKey),
                    hmac(salted, "Server Key".getBytes(StandardCharsets.US_ASCII)));
        }

        /**
         * Credentials no proof can match, for an unknown user (or an empty password), so that the exchange looks
         * the same as for a real user and only fails at the end, as PostgreSQL's mock authentication does.
         */
        static Credentials impossible(byte[] salt) {
            return new Credentials(salt, ITERATIONS, randomBytes(32), randomBytes(32));
        }
    }

    /** Thrown for a malformed SCRAM message: 08P01. */
    static final class MalformedMessage extends RuntimeException {
        MalformedMessage(String message) {
            super(message, null, false, false);
        }
    }

    /** One exchange: {@link #serverFirst} then {@link #verifyClientFinal}. */
    static final class Exchange {
        private final Credentials credentials;
        private String gs2Header;
        private String clientFirstBare;
        private String serverFirst;
        private String nonce;

        Exchange(Credentials credentials) {
            this.credentials = credentials;
        }

        /** Parses client-first-message and returns server-first-message. */
        String serverFirst(String clientFirst) {
            if (clientFirst.startsWith("p=")) {
                throw new MalformedMessage("channel binding is not supported [mechanism=" + MECHANISM + "]");
            }
            if (!(clientFirst.startsWith("n,") || clientFirst.startsWith("y,"))) {
                throw new MalformedMessage("malformed SCRAM client-first-message [reason=bad gs2 header]");
            }
            int authzEnd = clientFirst.indexOf(',', 2);
            if (authzEnd < 0) {
                throw new MalformedMessage("malformed SCRAM client-first-message [reason=bad gs2 header]");
            }
            gs2Header = clientFirst.substring(0, authzEnd + 1);
            clientFirstBare = clientFirst.substring(authzEnd + 1);
            String clientNonce = null;
            for (String attribute : clientFirstBare.split(",")) {
                if (attribute.startsWith("m=")) {
                    throw new MalformedMessage("unsupported SCRAM extension [attribute=m]");
                }
                if (attribute.startsWith("r=")) {
                    clientNonce = attribute.substring(2);
                }
            }
            if (!clientFirstBare.startsWith("n=") || clientNonce == null || clientNonce.isEmpty()) {
                throw new MalformedMessage("malformed SCRAM client-first-message [reason=missing user or nonce]");
            }
            nonce = clientNonce + Base64.getEncoder().encodeToString(randomBytes(18));
            serverFirst = "r=" + nonce + ",s=" + Base64.getEncoder().encodeToString(credentials.salt())
                    + ",i=" + credentials.iterations();
            return serverFirst;
        }

        /**
         * Checks client-final-message; returns server-final-message if the proof is right, null if it is wrong.
         */
        String verifyClientFinal(String clientFinal) {
            int proofAt = clientFinal.lastIndexOf(",p=");
            if (serverFirst == null || proofAt < 0) {
                throw new MalformedMessage("malformed SCRAM client-final-message [reason=missing proof]");
            }
            String withoutProof = clientFinal.substring(0, proofAt);
            String channelBinding = null;
            String finalNonce = null;
            for (String attribute : withoutProof.split(",")) {
                if (attribute.startsWith("c=")) {
                    channelBinding = attribute.substring(2);
                } else if (attribute.startsWith("r=")) {
                    finalNonce = attribute.substring(2);
                }
            }
            byte[] proof;
            try {
                proof = Base64.getDecoder().decode(clientFinal.substring(proofAt + 3));
                if (channelBinding == null
                        || !gs2Header.equals(new String(Base64.getDecoder().decode(channelBinding), StandardCharsets.UTF_8))) {
                    throw new MalformedMessage("malformed SCRAM client-final-message [reason=channel binding mismatch]");
                }
            } catch (IllegalArgumentException e) {
                throw new MalformedMessage("malformed SCRAM client-final-message [reason=bad base64]");
            }
            if (!nonce.equals(finalNonce)) {
                throw new MalformedMessage("malformed SCRAM client-final-message [reason=nonce mismatch]");
            }
            if (proof.length != 32) {
                throw new MalformedMessage("malformed SCRAM client-final-message [reason=bad proof length]");
            }
            byte[] authMessage = (clientFirstBare + "," + serverFirst + "," + withoutProof).getBytes(StandardCharsets.UTF_8);
            byte[] clientSignature = hmac(credentials.storedKey(), authMessage);
            byte[] clientKey = new byte[32];
            for (int i = 0; i < 32; i++) {
                clientKey[i] = (byte) (proof[i] ^ clientSignature[i]);
            }
            if (!MessageDigest.isEqual(sha256(clientKey), credentials.storedKey())) {
                return null;
            }
            return "v=" + Base64.getEncoder().encodeToString(hmac(credentials.serverKey(), authMessage));
        }
    }

    private ScramSha256() {}

    static byte[] randomBytes(int n) {
        byte[] b = new byte[n];
        RANDOM.nextBytes(b);
        return b;
    }

    static byte[] pbkdf2(String password, byte[] salt, int iterations) {
        try {
            SecretKeyFactory f = SecretKeyFactory.getInstance("PBKDF2WithHmacSHA256");
            return f.generateSecret(new PBEKeySpec(password.toCharArray(), salt, iterations, 256)).getEncoded();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot derive SCRAM key [algorithm=PBKDF2WithHmacSHA256]", e);
        }
    }

    static byte[] hmac(byte[] key, byte[] data) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key, "HmacSHA256"));
            return mac.doFinal(data);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot compute HMAC [algorithm=HmacSHA256]", e);
        }
    }

    static byte[] sha256(byte[] data) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(data);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot compute digest [algorithm=SHA-256]", e);
        }
    }
}
