package io.converge.cluster.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.converge.server.cli.ConvergeCli;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** The command names and options scripts depend on, and the settings of a resumed cluster. */
class ClusterCliTest {
  @TempDir
  Path tmp;

  @Test
  void convergeHasTheClusterCommandsNextToTheOneProcessOnes() {
    Map<String, CommandLine> top = ConvergeCli.commandLine().getSubcommands();
    assertTrue(top.keySet().containsAll(Set.of("demo", "server", "load", "sql", "cluster", "leaf",
        "aggregator")), top.keySet().toString());
    assertTrue(top.get("cluster").getSubcommands().keySet()
        .containsAll(Set.of("start", "stop", "demo", "status", "add-leaf", "remove-leaf")));
    var addLeaf = top.get("cluster").getSubcommands().get("add-leaf").getCommandSpec();
    assertTrue(addLeaf.findOption("--dir") != null && addLeaf.findOption("--replica-group") != null);
    var removeLeaf = top.get("cluster").getSubcommands().get("remove-leaf").getCommandSpec();
    assertTrue(removeLeaf.findOption("--dir") != null && removeLeaf.findOption("--leaf") != null);
    var start = top.get("cluster").getSubcommands().get("start").getCommandSpec();
    for (String o : List.of("--dir", "--leaves", "--replicas", "--partitions", "--port",
        "--no-auth", "--users", "--kafka")) {
      assertTrue(start.findOption(o) != null, "cluster start " + o);
    }
    var leaf = top.get("leaf").getCommandSpec();
    for (String o : List.of("--kafka", "--data-dir", "--replica-group", "--port", "--host",
        "--http-port")) {
      assertTrue(leaf.findOption(o) != null, "leaf " + o);
    }
    var aggregator = top.get("aggregator").getCommandSpec();
    var server = top.get("server").getCommandSpec();
    for (String o : List.of("--kafka", "--port", "--host", "--partitions", "--no-auth",
        "--users", "--query-timeout", "--max-document-size")) {
      assertTrue(aggregator.findOption(o) != null, "aggregator " + o);
    }
    assertEquals(server.findOption("--users").description()[0],
        aggregator.findOption("--users").description()[0]);
    assertTrue(top.get("cluster").getSubcommands().get("status").getCommandSpec()
        .findOption("--url") != null);
  }

  @Test
  void anAggregatorWithoutAuthOptionsIsRefusedLikeAServer() {
    java.io.StringWriter err = new java.io.StringWriter();
    CommandLine cl = ConvergeCli.commandLine();
    cl.setErr(new java.io.PrintWriter(err));
    int code = cl.execute("aggregator", "--kafka", "127.0.0.1:1");
    assertEquals(ConvergeCli.FAILED, code);
    assertTrue(err.toString().contains("authentication is required"), err.toString());
  }

  @Test
  void aNewClusterTakesTheDefaultsAndTheOptionsGiven() throws Exception {
    ClusterSettings s = ClusterStartCommand.settings(null, overrides(null, null, 9000, true), 3);
    assertEquals(3, s.leaves());
    assertEquals(1, s.replicas());
    assertEquals(16, s.partitions());
    assertEquals(9000, s.port());
    assertTrue(s.noAuth());
    assertNull(s.kafka());
    assertThrows(IllegalArgumentException.class,
        () -> ClusterStartCommand.settings(null, overrides(null, null, null, false), 3));
  }

  @Test
  void aResumedClusterKeepsItsShapeAndTakesANewPortAndAuth() throws Exception {
    Path users = Files.writeString(tmp.resolve("users"), "");
    ClusterSettings first = ClusterStartCommand.settings(null, overrides(2, 2, 9000, true), 3);
    ClusterFile file = new ClusterFile(List.of(), first, "127.0.0.1:9092", null, false);
    ClusterSettings same = ClusterStartCommand.settings(file, overrides(null, null, null, false),
        3);
    assertEquals(first, same);
    ClusterSettings moved = ClusterStartCommand.settings(file,
        new ClusterStartCommand.Overrides(null, null, null, 9100, users, false, null, null, null,
            null), 3);
    assertEquals(9100, moved.port());
    assertEquals(users.toAbsolutePath().toString(), moved.users());
    assertEquals(2, moved.leaves());
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> ClusterStartCommand.settings(file, overrides(3, null, null, false), 3));
    assertTrue(e.getMessage().contains("2 leaves x 2"), e.getMessage());
  }

  @Test
  void theClusterFileRoundTripsWithItsProcessesAndOptions() throws Exception {
    ClusterSettings s = ClusterStartCommand.settings(null, overrides(3, 1, 9000, true), 3);
    ClusterFile file = new ClusterFile(List.of(), s, "127.0.0.1:9092", null, false)
        .withProcess(new ClusterFile.Proc("kafka", "kafka", 10, Map.of("kafka", 9092), "/d/kafka",
            null, "/d/logs/kafka.log"))
        .withProcess(new ClusterFile.Proc("leaf", "leaf-g0-0", 11, Map.of("flight", 7001),
            "/d/leaf-g0-0", "g0", "/d/logs/leaf-g0-0.log"))
        .withProcess(new ClusterFile.Proc("leaf", "leaf-g0-0", 12, Map.of("flight", 7001),
            "/d/leaf-g0-0", "g0", "/d/logs/leaf-g0-0.log"))
        .withJdbcUrl(LocalCluster.jdbcUrl(9000));
    file.write(tmp);
    ClusterFile back = ClusterFile.read(tmp);
    assertEquals(file, back);
    assertEquals(2, back.processes().size());
    assertEquals(12, back.named("leaf-g0-0").pid());
    String json = Files.readString(tmp.resolve("cluster.json"));
    assertTrue(json.contains("\"processes\"") && json.contains("\"role\" : \"leaf\"")
        && json.contains("\"replicaGroup\" : \"g0\""), json);
    assertNull(ClusterFile.read(tmp.resolve("nowhere")));
  }

  @Test
  void aResumedClusterRunsTheLeavesAddedAndNotTheOnesRemoved() throws Exception {
    ClusterSettings s = ClusterStartCommand.settings(null, overrides(2, 2, 9000, true), 3);
    ClusterFile file = new ClusterFile(List.of(), s, "127.0.0.1:9092", null, false);
    assertEquals(List.of("leaf-g0-0:g0", "leaf-g0-1:g0", "leaf-g1-0:g1", "leaf-g1-1:g1"),
        names(file));
    assertEquals("g0", ClusterAddLeafCommand.fewestLeaves(file));
    for (String name : List.of("leaf-g0-0", "leaf-g0-1", "leaf-g1-0", "leaf-g1-1")) {
      file = file.withProcess(new ClusterFile.Proc("leaf", name, 1, Map.of("flight", 7000),
          "/d/" + name, name.substring(5, 7), "/d/logs/" + name + ".log"));
    }
    assertEquals("leaf-g1-2", ClusterAddLeafCommand.nextName(file, "g1"));
    file = file.withProcess(new ClusterFile.Proc("leaf", "leaf-g1-2", 2, Map.of("flight", 7002),
        "/d/leaf-g1-2", "g1", "/d/logs/leaf-g1-2.log")).withoutLeaf("leaf-g0-1");
    assertEquals("g0", ClusterAddLeafCommand.fewestLeaves(file));
    assertEquals("leaf-g0-2", ClusterAddLeafCommand.nextName(file, "g0"),
        "a removed leaf's name is not reused");
    file.write(tmp);
    ClusterFile back = ClusterFile.read(tmp);
    assertEquals(List.of("leaf-g0-1"), back.removedLeaves());
    assertEquals(List.of("leaf-g0-0:g0", "leaf-g1-0:g1", "leaf-g1-1:g1", "leaf-g1-2:g1"),
        names(back));
  }

  private static List<String> names(ClusterFile file) {
    return file.leaves().stream().map(e -> e.getKey() + ":" + e.getValue()).toList();
  }

  @Test
  void severalAggregatorsTakeConsecutivePortsAndAnOlderFileMeansOne() throws Exception {
    ClusterSettings s = ClusterStartCommand.settings(null, new ClusterStartCommand.Overrides(
        null, null, null, 9000, null, true, null, null, null, null, 2), 3);
    assertEquals(2, s.aggregators());
    assertEquals(9001, s.aggregatorPort(1));
    assertEquals("aggregator-2", LocalCluster.aggregatorName(1));
    assertEquals("jdbc:converge:remote:url=http://127.0.0.1:9000,http://127.0.0.1:9001;"
        + "serialization=protobuf", LocalCluster.failoverUrl(s));
    ClusterFile file = new ClusterFile(List.of(), s, "127.0.0.1:9092", null, false);
    file.write(tmp);
    String older = Files.readString(tmp.resolve("cluster.json"))
        .replaceAll(",\\s*\"aggregators\"\\s*:\\s*2", "");
    assertFalse(older.contains("aggregators"), older);
    Files.writeString(tmp.resolve("cluster.json"), older);
    assertEquals(1, ClusterFile.read(tmp).options().aggregators());
    assertThrows(IllegalArgumentException.class, () -> ClusterStartCommand.settings(null,
        new ClusterStartCommand.Overrides(null, null, null, 65535, null, true, null, null, null,
            null, 2), 3));
  }

  private static ClusterStartCommand.Overrides overrides(Integer leaves, Integer replicas,
      Integer port, boolean noAuth) {
    return new ClusterStartCommand.Overrides(leaves, replicas, null, port, null, noAuth, null,
        null, null, null);
  }
}
