package io.converge.cluster.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.converge.server.cli.ConvergeCli;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * {@code cluster stop} and a second {@code cluster start} against real child processes launched
 * the way the cluster launches its roles (a one-process server stands in for a role here).
 */
class ClusterStopTest {
  @TempDir
  Path tmp;

  @Test
  void stopStopsTheLiveProcessesAndSkipsOnesAlreadyDead() throws Exception {
    Path dir = tmp.resolve("cluster");
    Process dead = ChildProcesses.launch(dir, "leaf-g0-0", "64m", List.of("--version"),
        dir.resolve("logs/leaf-g0-0.log"));
    assertTrue(dead.waitFor(60, TimeUnit.SECONDS));
    int port = ChildProcesses.freePort();
    Process live = ChildProcesses.launch(dir, "aggregator", "256m", List.of("server",
        "--data-dir", tmp.resolve("data").toString(), "--no-auth", "--port",
        String.valueOf(port)), dir.resolve("logs/aggregator.log"));
    try {
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
      while (!ChildProcesses.accepts(port)) {
        assertTrue(live.isAlive(), ChildProcesses.tail(dir.resolve("logs/aggregator.log"), 2000));
        assertTrue(System.nanoTime() < deadline, "the stand-in did not come up in 60 s");
        Thread.sleep(100);
      }
      ClusterSettings s = ClusterStartCommand.settings(null, new ClusterStartCommand.Overrides(
          1, 1, null, port, null, true, "127.0.0.1:1", "64m", "64m", "64m"), 1);
      ClusterFile file = new ClusterFile(List.of(), s, "127.0.0.1:1", null, false)
          .withProcess(new ClusterFile.Proc(ClusterFile.LEAF, "leaf-g0-0", dead.pid(),
              Map.of("flight", 1), null, "g0", null))
          .withProcess(new ClusterFile.Proc(ClusterFile.AGGREGATOR, "aggregator", live.pid(),
              Map.of("http", port), null, null, null));
      file.write(dir);

      LocalCluster cluster = new LocalCluster(dir, new PrintWriter(new StringWriter()));
      assertEquals(List.of("aggregator"), cluster.running(file).stream()
          .map(ClusterFile.Proc::name).toList());
      IllegalStateException running = assertThrows(IllegalStateException.class,
          () -> cluster.start(s, file, Duration.ofSeconds(10)));
      assertTrue(running.getMessage().contains("is running"), running.getMessage());

      StringWriter out = new StringWriter();
      CommandLine cl = ConvergeCli.commandLine();
      cl.setOut(new PrintWriter(out));
      assertEquals(ConvergeCli.OK, cl.execute("cluster", "stop", "--dir", dir.toString()));
      assertTrue(live.waitFor(30, TimeUnit.SECONDS), "the aggregator stand-in was stopped");
      assertTrue(out.toString().contains("Stopped aggregator"), out.toString());
      assertEquals(List.of(), cluster.running(file));

      StringWriter again = new StringWriter();
      cl.setOut(new PrintWriter(again));
      assertEquals(ConvergeCli.OK, cl.execute("cluster", "stop", "--dir", dir.toString()));
      assertTrue(again.toString().contains("Nothing was running"), again.toString());
    } finally {
      live.destroyForcibly();
    }
  }

  @Test
  void aLiveProcessWithoutTheMarkerIsNotTakenForARole() throws Exception {
    Process other = new ProcessBuilder("sleep", "30").start();
    try {
      assertTrue(other.isAlive());
      assertFalse(ChildProcesses.running(other.pid(), ChildProcesses.marker(tmp, "leaf-g0-0"))
          .isPresent());
    } finally {
      other.destroyForcibly();
      other.waitFor(30, TimeUnit.SECONDS);
    }
  }

  @Test
  void stopWithoutAClusterFileSaysSo() {
    StringWriter err = new StringWriter();
    CommandLine cl = ConvergeCli.commandLine();
    cl.setErr(new PrintWriter(err));
    assertEquals(ConvergeCli.FAILED, cl.execute("cluster", "stop", "--dir", tmp.toString()));
    assertTrue(err.toString().contains("holds no cluster.json"), err.toString());
  }
}
