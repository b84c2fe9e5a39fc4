package io.converge.cluster.cli;

/** Runs a role until the JVM is asked to stop (SIGTERM, Ctrl-C), then stops it cleanly. */
final class Foreground {
  private Foreground() {}

  /**
   * Blocks in {@code await} until the role stops; a shutdown hook runs {@code stop} (which makes
   * {@code await} return) and the JVM exits only after it finished.
   */
  static void run(Runnable stop, Awaiting await) throws InterruptedException {
    Thread hook = new Thread(stop, "converge-role-stop");
    Runtime.getRuntime().addShutdownHook(hook);
    try {
      await.await();
    } finally {
      try {
        Runtime.getRuntime().removeShutdownHook(hook);
        stop.run();
      } catch (IllegalStateException shuttingDown) {
        // the hook runs (or ran) the stop; wait for it so the JVM exits after a clean stop
        hook.join(60_000);
      }
    }
  }

  /** Waits until the role has stopped. */
  interface Awaiting {
    void await() throws InterruptedException;
  }
}
