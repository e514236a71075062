package dev.explainable.serving.runtime.api.auth;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.regex.Pattern;

/**
 * The bearer token of an {@code Authorization} header (RFC 6750: {@code Bearer} and one space, case-insensitive
 * scheme, then a token68), or why there is none. The token is never part of a message, a log line or a cache key:
 * caches key it by {@link #key}, its SHA-256.
 */
public final class BearerToken {

    /** The longest header read; a longer one is refused without calling the API server. */
    public static final int MAX_HEADER_CHARS = 16 * 1024;

    private static final Pattern TOKEN68 = Pattern.compile("[A-Za-z0-9\\-._~+/]+=*");
    private static final String SCHEME = "Bearer ";

    private BearerToken() {}

    /** A parsed header: the token, or null with the reason (which never contains the header's content). */
    public record Parsed(String token, String problem) {
        public boolean present() {
            return token != null;
        }
    }

    public static Parsed parse(String header) {
        if (header == null || header.isEmpty()) {
            return new Parsed(null, "this model needs a bearer token (Authorization: Bearer <token>)");
        }
        if (header.length() > MAX_HEADER_CHARS) {
            return new Parsed(null, "the Authorization header is longer than " + MAX_HEADER_CHARS + " characters");
        }
        if (header.length() <= SCHEME.length() || !header.regionMatches(true, 0, SCHEME, 0, SCHEME.length())) {
            return new Parsed(null, "the Authorization header is not 'Bearer <token>'");
        }
        String token = header.substring(SCHEME.length());
        if (!TOKEN68.matcher(token).matches()) {
            return new Parsed(null, "the Authorization header's bearer token is malformed");
        }
        return new Parsed(token, null);
    }

    /** The cache key of a token: its SHA-256, hex; the token itself is never kept. */
    public static String key(String token) {
        try {
            byte[] hash = MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.US_ASCII));
            return HexFormat.of().formatHex(hash);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every JDK", e);
        }
    }
}
