package io.converge.cluster.aggregator.write;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.converge.cluster.log.CatalogLog;
import io.converge.kafka.local.LocalKafkaBroker;
import io.converge.server.ConvergeServer;
import io.converge.server.ServerBackend;
import io.converge.server.ServerOptions;
import io.converge.server.auth.ServerSecurity;
import io.converge.server.http.DocumentService;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.eclipse.jetty.server.Handler;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A write Kafka does not acknowledge is answered 503 with a one-line reason, never as written;
 * the HTTP API runs on {@link ConvergeServer} with a backend of the test's own.
 */
@Tag("slow")
class KafkaFailureTest {
  @TempDir
  Path dir;

  /** The smallest backend: a Kafka document service, no SQL schema of its own. */
  record KafkaOnlyBackend(DocumentService documents) implements ServerBackend {
    @Override
    public String calciteUrl() {
      return "jdbc:calcite:";
    }

    @Override
    public Object catalogStamp() {
      return 0;
    }

    @Override
    public List<Handler> handlers(boolean authenticated) {
      return List.of();
    }

    @Override
    public Path dataDirectory() {
      return null;
    }

    @Override
    public String describe() {
      return "a test's Kafka";
    }

    @Override
    public void close() {}
  }

  @Test
  void aWriteKafkaDoesNotAcknowledgeIs503AndNotReportedWritten() throws Exception {
    LocalKafkaBroker broker = LocalKafkaBroker.start(dir.resolve("kafka"));
    ConvergeServer server = null;
    try (CatalogLog catalog = CatalogLog.open(broker.bootstrap());
        DocumentProducer producer = new DocumentProducer(broker.bootstrap(),
            Duration.ofSeconds(6))) {
      KafkaDocumentService documents = new KafkaDocumentService(catalog, producer,
          new CatalogBackedView(catalog), (c, id) -> true, 2);
      server = ConvergeServer.start(ServerOptions.of(dir.resolve("unused")).withPort(0),
          ServerSecurity.none(), new KafkaOnlyBackend(documents));
      AggregatorWritesTest.Answer ok = AggregatorWritesTest.send(server.baseUrl(), "POST",
          "/v1/collections/f/docs", "{\"_id\":\"a\"}\n");
      assertEquals(200, ok.status(), ok.body().toString());

      broker.stop();
      AggregatorWritesTest.Answer failed = AggregatorWritesTest.send(server.baseUrl(), "POST",
          "/v1/collections/f/docs", "{\"_id\":\"b\"}\n{\"_id\":\"c\"}\n");
      assertEquals(503, failed.status(), failed.body().toString());
      assertEquals("1", failed.retryAfter(), "a 503 while Kafka is away says when to retry");
      String error = failed.body().get("error").asText();
      assertTrue(error.contains("Kafka"), error);
      assertFalse(error.contains("\n"), error);
      assertFalse(failed.body().has("written"), "nothing is reported written");
    } finally {
      if (server != null) {
        server.stop();
      }
      broker.close();
    }
  }
}
