package io.converge.server.auth;

import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

/**
 * Failed logins per remote address: after {@link #maxFailures} failures within
 * {@link #windowMillis}, the address gets 429 for the rest of that window without a password check
 * (each check costs a full PBKDF2 derivation, so a client guessing passwords would otherwise burn
 * the server's CPU). Credentials a server has already verified keep working from a throttled
 * address (see {@link UserDirectory#remembered}).
 */
final class LoginThrottle {
  static final int DEFAULT_MAX_FAILURES = 10;
  static final long DEFAULT_WINDOW_MILLIS = 60_000;
  /** Tracked addresses are pruned beyond this many. */
  private static final int MAX_TRACKED = 10_000;

  private final int maxFailures;
  private final long windowMillis;
  private final LongSupplier clock;
  private final ConcurrentHashMap<String, Window> failures = new ConcurrentHashMap<>();

  private record Window(long start, int count) {}

  LoginThrottle(int maxFailures, long windowMillis) {
    this(maxFailures, windowMillis, System::currentTimeMillis);
  }

  /** @param clock the time in milliseconds (tests step it) */
  LoginThrottle(int maxFailures, long windowMillis, LongSupplier clock) {
    this.maxFailures = maxFailures;
    this.windowMillis = windowMillis;
    this.clock = clock;
  }

  /** Milliseconds until {@code address} may try again, or 0 when it may now. */
  long blockedFor(String address) {
    Window w = failures.get(address);
    if (w == null) {
      return 0;
    }
    long left = w.start + windowMillis - clock.getAsLong();
    if (left <= 0) {
      failures.remove(address, w);
      return 0;
    }
    return w.count >= maxFailures ? left : 0;
  }

  /** Counts a failed login of {@code address}. */
  void failed(String address) {
    long now = clock.getAsLong();
    if (failures.size() >= MAX_TRACKED) {
      failures.values().removeIf(w -> w.start + windowMillis <= now);
    }
    failures.merge(address, new Window(now, 1), (old, one) ->
        old.start + windowMillis <= now ? one : new Window(old.start, old.count + 1));
  }
}
