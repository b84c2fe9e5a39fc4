package io.converge.server.auth;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The users of a running server, read from its users file and re-read when the file changes
 * (checked at most every {@value #RECHECK_MILLIS} ms), so {@code converge user add} takes effect
 * without a restart. A malformed or missing file on a re-read keeps the users read before (and is
 * logged).
 *
 * <p>PBKDF2 is slow on purpose, and the remote driver sends its credentials with every request,
 * so a successful check is remembered for {@value #CACHE_MILLIS} ms as an HMAC of the password
 * under a key that lives only in this process; the password itself is never kept. Failed checks
 * are not remembered: each costs a full PBKDF2 derivation, unknown users included.
 */
public final class UserDirectory {
  private static final Logger LOG = LoggerFactory.getLogger(UserDirectory.class);
  static final long RECHECK_MILLIS = 1_000;
  static final long CACHE_MILLIS = 10 * 60_000;

  private final Path file;
  private final LoginThrottle throttle;
  private final byte[] macKey = new byte[32];
  private final PasswordHash decoy = PasswordHash.create("not a password".toCharArray());
  private final Map<String, Verified> verified = new ConcurrentHashMap<>();
  private volatile Map<String, UserFile.Entry> users;
  private volatile Object stamp;
  private volatile long checkedAt;

  private record Verified(UserFile.Entry entry, byte[] mac, long until) {}

  private UserDirectory(Path file, Map<String, UserFile.Entry> users, Object stamp,
      LoginThrottle throttle) {
    this.file = file;
    this.throttle = throttle;
    this.users = users;
    this.stamp = stamp;
    this.checkedAt = System.currentTimeMillis();
    new SecureRandom().nextBytes(macKey);
  }

  /** Reads {@code file}; IOException when it is missing, malformed or lists no user. */
  public static UserDirectory load(Path file) throws IOException {
    return load(file, LoginThrottle.DEFAULT_MAX_FAILURES, LoginThrottle.DEFAULT_WINDOW_MILLIS);
  }

  /**
   * Like {@link #load(Path)}, with {@code maxFailures} failed logins per remote address within
   * {@code windowMillis} before that address is refused (429) for the rest of the window.
   */
  public static UserDirectory load(Path file, int maxFailures, long windowMillis)
      throws IOException {
    if (maxFailures < 1 || windowMillis < 1) {
      throw new IllegalArgumentException("the failed-login limit and window must be positive");
    }
    Path abs = file.toAbsolutePath().normalize();
    Map<String, UserFile.Entry> users = UserFile.read(abs);
    Object stamp = stamp(abs);
    if (users.isEmpty()) {
      throw new IOException("users file " + abs + " lists no user (add one with 'converge user "
          + "add --users " + abs + " NAME --role admin')");
    }
    return new UserDirectory(abs, users, stamp, new LoginThrottle(maxFailures, windowMillis));
  }

  public Path file() {
    return file;
  }

  /** Failed logins per remote address (see {@link BasicAuthHandler}). */
  LoginThrottle throttle() {
    return throttle;
  }

  /** Number of users currently known. */
  public int size() {
    return users.size();
  }

  /**
   * The user when these credentials were verified within the last {@value #CACHE_MILLIS} ms (and
   * the users file has not changed since), else null. Costs one HMAC, no PBKDF2.
   */
  public ConvergeUser remembered(String name, char[] password) {
    refresh();
    UserFile.Entry entry = users.get(name);
    Verified v = verified.get(name);
    if (v != null && entry != null && v.entry == entry && System.currentTimeMillis() < v.until
        && MessageDigest.isEqual(v.mac, mac(name, password))) {
      return new ConvergeUser(name, entry.role());
    }
    return null;
  }

  /** The user when {@code password} is theirs, else null. */
  public ConvergeUser authenticate(String name, char[] password) {
    ConvergeUser known = remembered(name, password);
    if (known != null) {
      return known;
    }
    UserFile.Entry entry = users.get(name);
    byte[] mac = mac(name, password);
    long now = System.currentTimeMillis();
    if (entry == null) {
      decoy.matches(password); // the same work as for a known user
      return null;
    }
    if (!entry.hash().matches(password)) {
      return null;
    }
    verified.put(name, new Verified(entry, mac, now + CACHE_MILLIS));
    return new ConvergeUser(name, entry.role());
  }

  private void refresh() {
    long now = System.currentTimeMillis();
    if (now - checkedAt < RECHECK_MILLIS) {
      return;
    }
    synchronized (this) {
      if (now - checkedAt < RECHECK_MILLIS) {
        return;
      }
      checkedAt = now;
      try {
        Object current = stamp(file);
        if (current.equals(stamp)) {
          return;
        }
        Map<String, UserFile.Entry> reread = UserFile.read(file);
        users = reread;
        stamp = current;
        verified.clear();
        LOG.info("users file {} re-read: {} user(s)", file, reread.size());
      } catch (IOException | RuntimeException e) {
        LOG.error("users file {} cannot be re-read, keeping the {} user(s) read before: {}", file,
            users.size(), e.getMessage());
      }
    }
  }

  private static Object stamp(Path file) throws IOException {
    BasicFileAttributes a = Files.readAttributes(file, BasicFileAttributes.class);
    return a.lastModifiedTime().toMillis() + "/" + a.size() + "/" + a.fileKey();
  }

  private byte[] mac(String name, char[] password) {
    try {
      Mac m = Mac.getInstance("HmacSHA256");
      m.init(new SecretKeySpec(macKey, "HmacSHA256"));
      m.update(name.getBytes(StandardCharsets.UTF_8));
      m.update((byte) 0);
      m.update(StandardCharsets.UTF_8.encode(java.nio.CharBuffer.wrap(password)));
      return m.doFinal();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HmacSHA256 is not available: " + e, e);
    }
  }
}
