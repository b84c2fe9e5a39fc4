package io.converge.server.auth;

import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;
import javax.crypto.SecretKeyFactory;
import javax.crypto.spec.PBEKeySpec;

/**
 * Salted PBKDF2 password hashes, written as
 * {@code pbkdf2-sha256$ITERATIONS$SALT$HASH} (salt and hash in unpadded base64): never a
 * password, and no {@code :} so that it fits a users-file line.
 */
public final class PasswordHash {
  public static final String SCHEME = "pbkdf2-sha256";
  /** Iterations of new hashes (OWASP's 2023 figure for PBKDF2-HMAC-SHA256 is 600,000). */
  public static final int DEFAULT_ITERATIONS = 600_000;
  /** Hashes with fewer iterations than this are refused as unsafe. */
  static final int MIN_ITERATIONS = 10_000;
  static final int MAX_ITERATIONS = 10_000_000;
  private static final int SALT_BYTES = 16;
  private static final int HASH_BITS = 256;
  private static final SecureRandom RANDOM = new SecureRandom();
  private static final Base64.Encoder B64 = Base64.getEncoder().withoutPadding();
  private static final Base64.Decoder B64D = Base64.getDecoder();

  private final int iterations;
  private final byte[] salt;
  private final byte[] hash;

  private PasswordHash(int iterations, byte[] salt, byte[] hash) {
    this.iterations = iterations;
    this.salt = salt;
    this.hash = hash;
  }

  /** A new hash of {@code password} with a fresh random salt. */
  public static PasswordHash create(char[] password) {
    return create(password, DEFAULT_ITERATIONS);
  }

  static PasswordHash create(char[] password, int iterations) {
    byte[] salt = new byte[SALT_BYTES];
    RANDOM.nextBytes(salt);
    return new PasswordHash(iterations, salt, derive(password, salt, iterations));
  }

  /** Parses the stored form; IllegalArgumentException saying what is wrong. */
  public static PasswordHash parse(String text) {
    String[] parts = text.split("\\$", -1);
    if (parts.length != 4 || !parts[0].equals(SCHEME)) {
      throw new IllegalArgumentException("not a " + SCHEME
          + "$ITERATIONS$SALT$HASH password hash");
    }
    int iterations;
    try {
      iterations = Integer.parseInt(parts[1]);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("bad iteration count '" + parts[1] + "'");
    }
    if (iterations < MIN_ITERATIONS || iterations > MAX_ITERATIONS) {
      throw new IllegalArgumentException("iteration count " + iterations + " is outside "
          + MIN_ITERATIONS + ".." + MAX_ITERATIONS);
    }
    try {
      byte[] salt = B64D.decode(parts[2]);
      byte[] hash = B64D.decode(parts[3]);
      if (salt.length < 8 || hash.length != HASH_BITS / 8) {
        throw new IllegalArgumentException("salt or hash has the wrong length");
      }
      return new PasswordHash(iterations, salt, hash);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("bad base64 in the password hash: " + e.getMessage());
    }
  }

  /** True when {@code password} is the one hashed (constant-time comparison). */
  public boolean matches(char[] password) {
    if (password.length == 0) {
      return false; // never stored (UserFile requires 8 characters); PBKDF2 refuses it
    }
    return MessageDigest.isEqual(hash, derive(password, salt, iterations));
  }

  @Override
  public String toString() {
    return SCHEME + "$" + iterations + "$" + B64.encodeToString(salt) + "$"
        + B64.encodeToString(hash);
  }

  private static byte[] derive(char[] password, byte[] salt, int iterations) {
    PBEKeySpec spec = new PBEKeySpec(password, salt, iterations, HASH_BITS);
    try {
      return SecretKeyFactory.getInstance("PBKDF2WithHmacSHA256").generateSecret(spec)
          .getEncoded();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("PBKDF2WithHmacSHA256 is not available: " + e, e);
    } finally {
      spec.clearPassword();
    }
  }
}
