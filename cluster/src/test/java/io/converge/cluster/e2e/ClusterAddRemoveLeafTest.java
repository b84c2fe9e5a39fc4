package io.converge.cluster.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.converge.cluster.cli.ClusterFile;
import io.converge.server.cli.ConvergeCli;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * {@code cluster add-leaf} and {@code cluster remove-leaf} on a real cluster (every role its own
 * process): a second leaf joins and takes partitions, the first drains out, the documents stay
 * exactly once throughout, and the last leaf of a group is not removed. (Which leaves a resumed
 * cluster runs: {@code ClusterCliTest}.)
 */
@Tag("slow")
class ClusterAddRemoveLeafTest {
  private static final Duration CATCH_UP = Duration.ofMinutes(3);

  @TempDir Path dir;

  @Test
  void aLeafJoinsAndTheFirstDrainsOutAndAResumeKeepsThatShape() throws Exception {
    Path cdir = dir.resolve("cluster");
    int port = freePort();
    String api = "http://127.0.0.1:" + port;
    try {
      cli("cluster", "start", "--dir", cdir.toString(), "--leaves", "1", "--partitions", "4",
          "--port", String.valueOf(port), "--no-auth", "--leaf-heap", "384m",
          "--aggregator-heap", "512m", "--kafka-heap", "384m", "--timeout", "180");
      String jdbc = ClusterFile.read(cdir).jdbcUrl();
      post(api, 0, 300);
      StatusWait.awaitCaughtUp(api, "m", 1, CATCH_UP);
      assertCount(jdbc, 300);

      String added = cli("cluster", "add-leaf", "--dir", cdir.toString(), "--timeout", "180");
      assertTrue(added.contains("leaf-g0-1 serves"), added);
      ClusterFile file = ClusterFile.read(cdir);
      assertTrue(leaves(file).contains("leaf-g0-1"), leaves(file).toString());
      assertCount(jdbc, 300);

      String removed = cli("cluster", "remove-leaf", "--dir", cdir.toString(), "--leaf",
          "leaf-g0-0", "--timeout", "180");
      assertTrue(removed.contains("Removed leaf-g0-0"), removed);
      file = ClusterFile.read(cdir);
      assertEquals(List.of("leaf-g0-1"), leaves(file));
      assertEquals(List.of("leaf-g0-0"), file.removedLeaves());
      assertCount(jdbc, 300);
      post(api, 300, 100);
      StatusWait.awaitCaughtUp(api, "m", 1, CATCH_UP);
      assertCount(jdbc, 400);

      String refused = cliFailing("cluster", "remove-leaf", "--dir", cdir.toString());
      assertTrue(refused.contains("only running leaf of replica group g0"), refused);
    } finally {
      CommandLine stop = ConvergeCli.commandLine();
      stop.setOut(new PrintWriter(new StringWriter()));
      stop.execute("cluster", "stop", "--dir", cdir.toString());
    }
  }

  private static List<String> leaves(ClusterFile file) {
    return file.processes().stream().filter(p -> p.role().equals(ClusterFile.LEAF))
        .map(ClusterFile.Proc::name).toList();
  }

  private static void post(String api, int from, int count) {
    List<Map<String, Object>> docs = new ArrayList<>();
    for (int i = from; i < from + count; i++) {
      Map<String, Object> d = new LinkedHashMap<>();
      d.put("_id", "d" + i);
      d.put("n", i);
      docs.add(d);
    }
    ClusterHttp.Answer a = ClusterHttp.post(api, "m", docs);
    assertEquals(count, a.body().get("written").asInt(), a.body().toString());
  }

  /** The collection holds {@code n} documents, each once. */
  private static void assertCount(String jdbc, long n) throws Exception {
    try (Connection c = DriverManager.getConnection(jdbc); Statement st = c.createStatement();
        ResultSet rs = st.executeQuery("SELECT COUNT(*), COUNT(DISTINCT _id), SUM(n) FROM m")) {
      assertTrue(rs.next());
      assertEquals(n, rs.getLong(1), "COUNT(*)");
      assertEquals(n, rs.getLong(2), "COUNT(DISTINCT _id)");
      assertEquals(n * (n - 1) / 2, rs.getLong(3), "SUM(n)");
      assertFalse(rs.next());
    }
  }

  private static String cli(String... args) {
    StringWriter out = new StringWriter();
    int exit = run(out, args);
    assertEquals(ConvergeCli.OK, exit, String.join(" ", args) + ": " + out);
    return out.toString();
  }

  private static String cliFailing(String... args) {
    StringWriter out = new StringWriter();
    int exit = run(out, args);
    assertEquals(ConvergeCli.FAILED, exit, String.join(" ", args) + ": " + out);
    return out.toString();
  }

  private static int run(StringWriter out, String... args) {
    CommandLine cmd = ConvergeCli.commandLine();
    cmd.setOut(new PrintWriter(out, true));
    cmd.setErr(new PrintWriter(out, true));
    int exit = cmd.execute(args);
    System.out.println("converge " + String.join(" ", args) + " -> " + exit + "\n" + out);
    return exit;
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }
}
