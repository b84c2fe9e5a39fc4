package io.converge.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.converge.server.ConvergeServer;
import io.converge.storage.ConvergeCollection;
import io.converge.storage.ConvergeStore;
import io.converge.storage.StoreException;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What was written survives a server restart; a directory in use refuses a second opener. */
class DurabilityTest {
  static final int EVENTS = 2000;
  static final String[] KINDS = {"click", "view", "buy"};

  static Map<String, Object> event(int i, String kind) {
    Map<String, Object> d = new LinkedHashMap<>();
    d.put("_id", "e" + i);
    d.put("kind", kind);
    d.put("n", (long) i);
    d.put("user", Map.of("id", "u" + (i % 13)));
    return d;
  }

  static List<Map<String, Object>> events() {
    List<Map<String, Object>> list = new ArrayList<>();
    for (int i = 0; i < EVENTS; i++) {
      list.add(event(i, KINDS[i % 3]));
    }
    return list;
  }

  /** Queries whose answers must be the same before and after a restart. */
  static final List<String> QUERIES = List.of(
      "select count(*) from events",
      "select kind, count(*), sum(n) from events group by kind order by kind",
      "select \"_id\", kind, n, \"user.id\" from events where \"_id\" = 'e42'",
      "select kind from events where \"_id\" = 'e5'",
      "select count(*) from events where \"_id\" in ('e10', 'e11', 'e12')",
      "select count(*) from customers");

  static List<List<List<Object>>> answers(ConvergeServer server) throws SQLException {
    List<List<List<Object>>> all = new ArrayList<>();
    try (Connection c = DriverManager.getConnection(server.jdbcUrl())) {
      for (String q : QUERIES) {
        all.add(Sql.rows(c, q));
      }
    }
    return all;
  }

  /** Writes events, then upserts e5 (kind "refund") and deletes e10, e11 through the store. */
  static void writeThroughTheServer(ConvergeStore store) {
    ConvergeCollection events = store.collection("events");
    TestData.upsert(events, events());
    TestData.upsert(events, List.of(event(5, "refund")));
    assertEquals(2, events.delete(List.of("e10", "e11", "nope")));
  }

  static Path initialDirectory(Path dir) {
    Path data = dir.resolve("data");
    try (ConvergeStore store = ConvergeStore.open(data)) {
      TestData.write(store);
      // One seed document so the collection and its fields exist when the server starts.
      TestData.upsert(store.getOrCreate("events"), List.of(event(0, "click")));
    }
    return data;
  }

  @Test
  void restartedServerGivesTheSameAnswers(@TempDir Path dir) throws Exception {
    Path data = initialDirectory(dir);
    List<List<List<Object>>> before;
    ConvergeServer first = Servers.start(data);
    try {
      writeThroughTheServer(first.store());
      before = answers(first);
    } finally {
      first.stop();
    }
    assertEquals(List.of(List.of((Object) (long) (EVENTS - 2))), before.get(0));
    ConvergeServer second = Servers.start(data);
    try {
      assertEquals(before, answers(second));
    } finally {
      second.stop();
    }
  }

  @Test
  void upsertedAndDeletedDocumentsStaySoAfterRestart(@TempDir Path dir) throws Exception {
    Path data = initialDirectory(dir);
    ConvergeServer first = Servers.start(data);
    try {
      writeThroughTheServer(first.store());
    } finally {
      first.stop();
    }
    ConvergeServer second = Servers.start(data);
    try (Connection c = DriverManager.getConnection(second.jdbcUrl())) {
      assertEquals("refund", Sql.scalar(c, "select kind from events where \"_id\" = 'e5'"));
      assertEquals(1L, Sql.scalar(c, "select count(*) from events where \"_id\" = 'e5'"));
      assertEquals(1L, Sql.scalar(c, "select count(*) from events where kind = 'refund'"));
      assertEquals(0L,
          Sql.scalar(c, "select count(*) from events where \"_id\" in ('e10', 'e11')"));
      assertEquals(List.of(Sql.row("e42", "click", 42L, "u3")), Sql.rows(c,
          "select \"_id\", kind, n, \"user.id\" from events where \"_id\" = 'e42'"));
    } finally {
      second.stop();
    }
  }

  @Test
  void writesAreVisibleToQueriesOfTheRunningServer(@TempDir Path dir) throws Exception {
    Path data = initialDirectory(dir);
    ConvergeServer server = Servers.start(data);
    try (Connection c = DriverManager.getConnection(server.jdbcUrl())) {
      assertEquals(1L, Sql.scalar(c, "select count(*) from events"));
      writeThroughTheServer(server.store());
      assertEquals((long) EVENTS - 2, Sql.scalar(c, "select count(*) from events"));
      assertEquals("refund", Sql.scalar(c, "select kind from events where \"_id\" = 'e5'"));
    } finally {
      server.stop();
    }
  }

  @Test
  void storeOpenedDirectlyAfterTheServerStopsSeesTheData(@TempDir Path dir) throws Exception {
    Path data = initialDirectory(dir);
    ConvergeServer server = Servers.start(data);
    try {
      writeThroughTheServer(server.store());
    } finally {
      server.stop();
    }
    try (ConvergeStore store = ConvergeStore.open(data)) {
      assertEquals(EVENTS - 2, store.collection("events").documentCount());
      assertEquals(300, store.collection("orders").documentCount());
    }
  }

  @Test
  void openingADirectoryServedInThisProcessFailsClearly(@TempDir Path dir) {
    Path data = initialDirectory(dir);
    ConvergeServer server = Servers.start(data);
    try {
      StoreException e = assertThrows(StoreException.class, () -> ConvergeStore.open(data));
      assertTrue(e.getMessage().contains("already open") || e.getMessage().contains("in use"),
          e.getMessage());
    } finally {
      server.stop();
    }
  }

  @Test
  void loadFromASecondProcessIntoAServedDirectoryExitsTwoWithAClearMessage(@TempDir Path dir)
      throws Exception {
    Path data = initialDirectory(dir);
    Path file = dir.resolve("more.ndjson");
    Files.write(file, List.of("{\"_id\": \"x1\", \"kind\": \"view\"}"), StandardCharsets.UTF_8);
    ConvergeServer server = Servers.start(data);
    try {
      String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
      ProcessBuilder pb = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"),
          "io.converge.server.cli.ConvergeCli", "load", "--data-dir", data.toString(),
          "--collection", "events", file.toString());
      pb.redirectErrorStream(true);
      File log = dir.resolve("second-process.log").toFile();
      pb.redirectOutput(log);
      Process p = pb.start();
      assertTrue(p.waitFor(90, TimeUnit.SECONDS), "second process did not finish");
      String output = Files.readString(log.toPath());
      System.out.println(output);
      assertEquals(2, p.exitValue(), output);
      assertTrue(output.contains("in use"), output);
      assertFalse(output.contains("\tat "), "no stack trace: " + output);
      try (Connection c = DriverManager.getConnection(server.jdbcUrl())) {
        assertEquals(0L, Sql.scalar(c, "select count(*) from events where \"_id\" = 'x1'"));
        assertEquals(300L, Sql.scalar(c, "select count(*) from orders"));
      }
    } finally {
      server.stop();
    }
  }

  @Test
  void stoppedServerReleasesTheDirectory(@TempDir Path dir) throws IOException {
    Path data = initialDirectory(dir);
    Servers.start(data).stop();
    try (ConvergeStore store = ConvergeStore.open(data)) {
      assertEquals(300, store.collection("orders").documentCount());
    }
  }
}
