package io.converge.cluster.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.converge.server.cli.ConvergeCli;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.Map;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** {@code --tail} on the aggregator and the {@code tailer} role: options and early refusals. */
class TailerCliTest {
  @Test
  void theAggregatorAndTheTailerRoleTakeTail() {
    Map<String, CommandLine> top = ConvergeCli.commandLine().getSubcommands();
    assertNotNull(top.get("tailer"), top.keySet().toString());
    for (String o : new String[] {"--kafka", "--tail", "--partitions"}) {
      assertNotNull(top.get("tailer").getCommandSpec().findOption(o), "tailer " + o);
    }
    assertNotNull(top.get("aggregator").getCommandSpec().findOption("--tail"));
  }

  @Test
  void aMalformedTailIsRefusedBeforeKafkaIsReached() {
    assertRefused("--tail wants TOPIC:COLLECTION", "tailer", "--kafka", "127.0.0.1:1",
        "--tail", "no-collection");
    assertRefused("is given twice", "tailer", "--kafka", "127.0.0.1:1", "--tail", "t:c",
        "--tail", "t:c");
    assertRefused("is not a Kafka topic name", "aggregator", "--kafka", "127.0.0.1:1",
        "--no-auth", "--tail", "a topic:c");
  }

  private static void assertRefused(String why, String... args) {
    StringWriter err = new StringWriter();
    CommandLine cl = ConvergeCli.commandLine();
    cl.setErr(new PrintWriter(err));
    int code = cl.execute(args);
    assertEquals(ConvergeCli.FAILED, code, err.toString());
    assertTrue(err.toString().contains(why), err.toString());
  }
}
