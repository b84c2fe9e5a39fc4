package io.converge.cluster.aggregator.write;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.converge.cluster.aggregator.AggregatorNode;
import io.converge.cluster.aggregator.AggregatorOptions;
import io.converge.cluster.log.CatalogEntry;
import io.converge.cluster.log.CatalogLog;
import io.converge.cluster.log.ClusterTopics;
import io.converge.kafka.local.LocalKafkaBroker;
import io.converge.server.ConvergeServer;
import io.converge.server.ServerOptions;
import io.converge.server.auth.ServerSecurity;
import io.converge.server.tailer.RecordValues;
import io.converge.storage.json.DocumentLimits;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The aggregator's write path against a real Kafka broker on loopback: HTTP documents, deletes,
 * DDL and SQL writes land on the collections' topics, answered after Kafka's acknowledgement,
 * with the one-process server's answers (apart from the fence) for the same requests.
 */
@Tag("slow")
class AggregatorWritesTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final DocumentLimits LIMITS = DocumentLimits.DEFAULTS.withMaxDepth(4)
      .withMaxArrayLength(3).withMaxDocumentBytes(300);
  private static final long MAX_REQUEST = 4096;
  static final String CALCITE_URL = "jdbc:calcite:schemaFactory="
      + MemoryTableSchemaFactory.class.getName() + ";schema=cluster;defaultSchema=cluster;"
      + "unquotedCasing=UNCHANGED;caseSensitive=false;parserFactory="
      + ClusterDdlExecutor.class.getName() + "#PARSER_FACTORY";

  @TempDir
  static Path dir;

  static LocalKafkaBroker broker;
  static CatalogBackedView view;
  static AggregatorNode node;
  static ConvergeServer local;
  static final HttpClient HTTP = HttpClient.newHttpClient();

  @BeforeAll
  static void start() throws Exception {
    broker = LocalKafkaBroker.start(dir.resolve("kafka"));
    view = new CatalogBackedView(CatalogLog.open(broker.bootstrap()));
    ServerOptions server = ServerOptions.of(dir.resolve("unused")).withPort(0)
        .withDocumentLimits(LIMITS).withMaxRequestBytes(MAX_REQUEST);
    node = AggregatorNode.start(new AggregatorOptions(broker.bootstrap(), server, 3),
        ServerSecurity.none(), view, CALCITE_URL, List.of(), AggregatorWritesTest::live);
    local = ConvergeServer.start(ServerOptions.of(dir.resolve("local")).withPort(0)
        .withDocumentLimits(LIMITS).withMaxRequestBytes(MAX_REQUEST));
  }

  @AfterAll
  static void stop() throws Exception {
    try {
      if (local != null) {
        local.stop();
      }
      if (node != null) {
        node.close();
      }
      if (view != null) {
        view.close();
      }
    } finally {
      if (broker != null) {
        broker.close();
      }
    }
  }

  @BeforeEach
  void clearRows() {
    MemoryTableSchemaFactory.ROWS.clear();
  }

  /** The lookup the test gives the node: the latest record of the _id is not a tombstone. */
  static boolean live(String collection, String id) {
    byte[] latest = null;
    boolean seen = false;
    for (ConsumerRecord<byte[], byte[]> r : read(collection)) {
      if (id.equals(new String(r.key(), StandardCharsets.UTF_8))) {
        latest = r.value();
        seen = true;
      }
    }
    return seen && latest != null;
  }

  /** A record's document: the aggregator writes it in the binary form its header names. */
  private static JsonNode document(ConsumerRecord<byte[], byte[]> r) {
    assertTrue(RecordValues.encoded(r.headers()), "the aggregator writes the binary form");
    return JSON.valueToTree(RecordValues.decode(r.value()));
  }

  /** Every record of a collection's topic, read up to the end offsets of now. */
  static List<ConsumerRecord<byte[], byte[]>> read(String collection) {
    String topic = ClusterTopics.dataTopic(collection);
    Map<String, Object> c = new HashMap<>();
    c.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrap());
    c.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
    c.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
    List<ConsumerRecord<byte[], byte[]>> out = new ArrayList<>();
    try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(c)) {
      List<TopicPartition> parts = new ArrayList<>();
      for (PartitionInfo p : consumer.partitionsFor(topic, Duration.ofSeconds(20))) {
        parts.add(new TopicPartition(topic, p.partition()));
      }
      consumer.assign(parts);
      consumer.seekToBeginning(parts);
      Map<TopicPartition, Long> end = consumer.endOffsets(parts, Duration.ofSeconds(20));
      long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
      while (parts.stream().anyMatch(p -> consumer.position(p) < end.get(p))) {
        if (System.nanoTime() > deadline) {
          throw new AssertionError("could not read " + topic + " to its end in 30 s");
        }
        consumer.poll(Duration.ofMillis(200)).forEach(out::add);
      }
    }
    return out;
  }

  record Answer(int status, JsonNode body, String retryAfter) {}

  static Answer send(String base, String method, String path, String body) throws Exception {
    HttpRequest.Builder r = HttpRequest.newBuilder(URI.create(base + path))
        .timeout(Duration.ofSeconds(60)).header("Content-Type", "application/x-ndjson");
    r.method(method, body == null ? HttpRequest.BodyPublishers.noBody()
        : HttpRequest.BodyPublishers.ofString(body));
    HttpResponse<String> response = HTTP.send(r.build(), HttpResponse.BodyHandlers.ofString());
    return new Answer(response.statusCode(), JSON.readTree(response.body()),
        response.headers().firstValue("Retry-After").orElse(null));
  }

  /** The answer without what only a log-backed (or only a local) writer says. */
  static JsonNode comparable(JsonNode answer) {
    ObjectNode copy = answer.deepCopy();
    copy.remove(List.of("fence", "inserted", "replaced"));
    return copy;
  }

  @Test
  void postedDocumentsLandOnTheTopicKeyedByIdAndTheFenceIsTheirLastOffsets() throws Exception {
    StringBuilder body = new StringBuilder();
    for (int i = 0; i < 20; i++) {
      body.append("{\"_id\":\"d").append(i).append("\",\"n\":").append(i).append("}\n");
    }
    body.append("{\"n\":99}\n"); // no _id: one is generated, as on one process
    Answer a = send(node.baseUrl(), "POST", "/v1/collections/docs1/docs", body.toString());
    assertEquals(200, a.status(), a.body().toString());
    assertEquals(21, a.body().get("written").asInt());
    String generated = a.body().get("results").get(20).get("_id").asText();

    Map<Integer, Long> last = new HashMap<>();
    Map<String, JsonNode> byKey = new HashMap<>();
    for (ConsumerRecord<byte[], byte[]> r : read("docs1")) {
      last.merge(r.partition(), r.offset(), Math::max);
      String key = new String(r.key(), StandardCharsets.UTF_8);
      JsonNode value = document(r);
      assertEquals(key, value.get("_id").asText(), "the key is the value's _id");
      byKey.put(key, value);
    }
    assertEquals(21, byKey.size());
    assertEquals(99, byKey.get(generated).get("n").asInt());
    assertEquals(7, byKey.get("d7").get("n").asInt());
    Map<Integer, Long> fence = new HashMap<>();
    a.body().get("fence").fields().forEachRemaining(e ->
        fence.put(Integer.parseInt(e.getKey()), e.getValue().asLong()));
    assertEquals(last, fence);
    CatalogEntry entry = node.catalog().collection("docs1");
    assertNotNull(entry, "the first write creates the collection");
    assertEquals(3, entry.partitions());
  }

  @Test
  void perDocumentErrorsAndLimitsAnswerAsOneProcess() throws Exception {
    String body = "{\"_id\":\"ok\",\"a\":1}\n"
        + "[1,2]\n"
        + "{\"_id\":true}\n"
        + "{\"_id\":\"\"}\n"
        + "{\"_id\":\"deep\",\"a\":{\"b\":{\"c\":{\"d\":{\"e\":1}}}}}\n"
        + "{\"_id\":\"long\",\"a\":[1,2,3,4]}\n"
        + "{\"_id\":\"big\",\"a\":\"" + "x".repeat(400) + "\"}\n"
        + "{\"_id\":\"t\",\"_event_time\":\"not a time\"}\n"
        + "{\"_id\":\"ok2\",\"b\":[1,2]}\n";
    Answer cluster = send(node.baseUrl(), "POST", "/v1/collections/limits/docs", body);
    Answer one = send(local.baseUrl(), "POST", "/v1/collections/limits/docs", body);
    assertEquals(one.status(), cluster.status());
    assertEquals(comparable(one.body()), comparable(cluster.body()));
    assertEquals(2, cluster.body().get("written").asInt());
    assertTrue(cluster.body().has("fence"));
    assertEquals(2, read("limits").size(), "only the accepted documents are in the log");

    for (String bad : new String[] {"{\"a\":", "{\"a\":1}\nnot json\n",
        "x".repeat((int) MAX_REQUEST + 1)}) {
      Answer c = send(node.baseUrl(), "POST", "/v1/collections/limits/docs", bad);
      Answer o = send(local.baseUrl(), "POST", "/v1/collections/limits/docs", bad);
      assertEquals(o.status(), c.status(), bad);
      assertEquals(o.body(), c.body(), "a refused request answers as on one process");
    }
    Answer empty = send(node.baseUrl(), "POST", "/v1/collections/none/docs", "[1]");
    assertEquals(200, empty.status());
    assertNull(node.catalog().collection("none"), "no accepted document, no collection");
  }

  @Test
  void loadWithUrlBulkLoadsThroughTheAggregator() throws Exception {
    StringBuilder lines = new StringBuilder();
    for (int i = 0; i < 500; i++) {
      lines.append("{\"_id\":\"l").append(i).append("\",\"n\":").append(i).append("}\n");
    }
    lines.append("not json\n{\"_id\":true}\n");
    Path file = dir.resolve("bulk.ndjson");
    java.nio.file.Files.writeString(file, lines);
    java.io.StringWriter out = new java.io.StringWriter();
    java.io.StringWriter err = new java.io.StringWriter();
    picocli.CommandLine cl = io.converge.server.cli.ConvergeCli.commandLine();
    cl.setOut(new java.io.PrintWriter(out, true));
    cl.setErr(new java.io.PrintWriter(err, true));
    int exit = cl.execute("load", "--url", node.baseUrl(), "--collection", "bulk",
        "--batch-bytes", "2000", file.toString());
    assertEquals(io.converge.server.cli.ConvergeCli.INCOMPLETE, exit, out + "\n" + err);
    assertTrue(out.toString().contains("Loaded 500 documents into 'bulk'"), out.toString());
    assertTrue(err.toString().contains(file + ":501: "), err.toString());
    assertTrue(err.toString().contains(file + ":502: "), err.toString());
    assertEquals(500, read("bulk").size());
  }

  @Test
  void deleteWritesATombstoneAndUnknownOnesAre404() throws Exception {
    assertEquals(200, send(node.baseUrl(), "POST", "/v1/collections/del/docs",
        "{\"_id\":\"x\",\"a\":1}\n{\"_id\":\"y\",\"a\":2}\n").status());
    Answer a = send(node.baseUrl(), "DELETE", "/v1/collections/del/docs/x", null);
    assertEquals(200, a.status(), a.body().toString());
    assertTrue(a.body().get("deleted").asBoolean());
    ConsumerRecord<byte[], byte[]> tombstone = null;
    for (ConsumerRecord<byte[], byte[]> r : read("del")) {
      if (r.value() == null) {
        tombstone = r;
      }
    }
    assertNotNull(tombstone);
    assertEquals("x", new String(tombstone.key(), StandardCharsets.UTF_8));
    assertEquals(tombstone.offset(),
        a.body().get("fence").get(String.valueOf(tombstone.partition())).asLong());

    assertEquals(404, send(node.baseUrl(), "DELETE", "/v1/collections/del/docs/x", null)
        .status(), "deleted already");
    Answer noCollection = send(node.baseUrl(), "DELETE", "/v1/collections/nope/docs/x", null);
    assertEquals(404, noCollection.status());
    assertEquals(send(local.baseUrl(), "DELETE", "/v1/collections/nope/docs/x", null).body(),
        noCollection.body());
  }

  @Test
  void collectionsAreListedAndDescribedFromTheView() throws Exception {
    send(node.baseUrl(), "POST", "/v1/collections/listed/docs", "{\"_id\":\"1\"}\n");
    Answer list = send(node.baseUrl(), "GET", "/v1/collections", null);
    assertEquals(200, list.status());
    boolean found = false;
    for (JsonNode c : list.body().get("collections")) {
      found |= c.get("name").asText().equals("listed");
    }
    assertTrue(found, list.body().toString());
    assertEquals(200, send(node.baseUrl(), "GET", "/v1/collections/listed", null).status());
    assertEquals(404, send(node.baseUrl(), "GET", "/v1/collections/unknown", null).status());
  }

  @Test
  void createAndDropTableGoThroughTheCatalog() throws Exception {
    try (Connection c = DriverManager.getConnection(node.jdbcUrl());
        Statement s = c.createStatement()) {
      s.execute("CREATE TABLE orders (id INTEGER, status VARCHAR(10), PRIMARY KEY (id))");
      CatalogEntry entry = node.catalog().collection("orders");
      assertNotNull(entry);
      assertNotNull(CatalogLog.declaredSchema(entry));
      assertEquals(2, CatalogLog.declaredSchema(entry).columns().size());
      try (var admin = broker.admin()) {
        assertTrue(admin.listTopics().names().get(30, java.util.concurrent.TimeUnit.SECONDS)
            .contains(ClusterTopics.dataTopic("orders")));
      }
      s.execute("CREATE TABLE IF NOT EXISTS ORDERS (x INTEGER)");
      s.execute("DROP TABLE orders");
      assertNull(node.catalog().collection("orders"));
    }
  }

  @Test
  void documentsOfACreatedTableAreCheckedAgainstItsColumnsAsOnOneProcess() throws Exception {
    String ddl = "CREATE TABLE items (id INTEGER, name VARCHAR(5), PRIMARY KEY (id))";
    try (Connection c = DriverManager.getConnection(node.jdbcUrl());
        Connection l = DriverManager.getConnection(local.jdbcUrl())) {
      c.createStatement().execute(ddl);
      l.createStatement().execute(ddl);
    }
    String good = "{\"id\":7,\"name\":\"seven\"}\n";
    Answer ok = send(node.baseUrl(), "POST", "/v1/collections/items/docs", good);
    assertEquals(200, ok.status(), ok.body().toString());
    List<ConsumerRecord<byte[], byte[]>> records = read("items");
    assertEquals(1, records.size());
    JsonNode value = document(records.get(0));
    assertEquals(new String(records.get(0).key(), StandardCharsets.UTF_8),
        value.get("_id").asText(), "keyed by the primary key's _id");

    for (String bad : new String[] {"{\"id\":8,\"colour\":\"red\"}\n",
        "{\"id\":9,\"name\":\"too long\"}\n"}) {
      Answer c = send(node.baseUrl(), "POST", "/v1/collections/items/docs", bad);
      Answer o = send(local.baseUrl(), "POST", "/v1/collections/items/docs", bad);
      assertEquals(400, c.status(), c.body().toString());
      assertEquals(o.body(), c.body());
    }
    assertEquals(1, read("items").size(), "a refused document is not written");
  }

  @Test
  void sqlInsertProducesOneRecordPerRowKeyedById() throws Exception {
    try (Connection c = DriverManager.getConnection(node.jdbcUrl());
        Statement s = c.createStatement()) {
      assertEquals(3, s.executeUpdate(
          "INSERT INTO c (_id, a, b) VALUES ('i1', 1, 'one'), ('i2', 2, 'two'), ('i3', 3, NULL)"));
      assertEquals(1, s.executeUpdate("INSERT INTO c (a) VALUES (4)"));
    }
    Map<String, JsonNode> byKey = new HashMap<>();
    for (ConsumerRecord<byte[], byte[]> r : read("c")) {
      byKey.put(new String(r.key(), StandardCharsets.UTF_8), document(r));
    }
    assertEquals("two", byKey.get("i2").get("b").asText());
    assertFalse(byKey.get("i3").has("b"), "NULL is an absent field");
    assertTrue(byKey.values().stream().anyMatch(v -> v.get("a").asInt() == 4
        && !v.get("_id").asText().isEmpty()), "a row without _id gets a generated one");
  }

  @Test
  void sqlUpdateWritesTheWholeNewDocumentAndDeleteWritesTombstones() throws Exception {
    MemoryTableSchemaFactory.ROWS.add(new Object[] {"u1", 1_000L, 1L, "keep"});
    MemoryTableSchemaFactory.ROWS.add(new Object[] {"u2", 2_000L, 2L, "other"});
    try (Connection c = DriverManager.getConnection(node.jdbcUrl());
        Statement s = c.createStatement()) {
      assertEquals(1, s.executeUpdate("UPDATE c SET a = 10 WHERE _id = 'u1'"));
      assertEquals(1, s.executeUpdate("DELETE FROM c WHERE b = 'other'"));
    }
    JsonNode updated = null;
    boolean tombstone = false;
    for (ConsumerRecord<byte[], byte[]> r : read("c")) {
      String key = new String(r.key(), StandardCharsets.UTF_8);
      if (key.equals("u1")) {
        updated = document(r);
      }
      tombstone |= key.equals("u2") && r.value() == null;
    }
    assertNotNull(updated);
    assertEquals(10, updated.get("a").asInt());
    assertEquals("keep", updated.get("b").asText(), "the other fields are kept");
    assertEquals(1_000L, updated.get("_event_time").asLong(),
        updated.toString());
    assertTrue(tombstone);
  }
}
