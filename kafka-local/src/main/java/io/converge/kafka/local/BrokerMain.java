package io.converge.kafka.local;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Properties;
import kafka.Kafka;
import kafka.tools.StorageTool;
import org.apache.kafka.common.Uuid;

/**
 * The main class of the broker process {@link LocalKafkaBroker} starts: formats the log
 * directory on first use (a new cluster id), then runs the broker ({@code kafka.Kafka}) on the
 * given configuration until it is signalled to stop. Doing both in one JVM keeps a start to one
 * JVM launch and the format tool's classes out of the caller's JVM.
 */
public final class BrokerMain {
  private BrokerMain() {
  }

  /** {@code args[0]}: the broker's properties file. */
  public static void main(String[] args) throws IOException {
    if (args.length != 1) {
      System.err.println("usage: BrokerMain <kafka.properties>");
      System.exit(2);
    }
    Path config = Path.of(args[0]);
    Properties p = new Properties();
    try (Reader r = Files.newBufferedReader(config, StandardCharsets.UTF_8)) {
      p.load(r);
    }
    Path logDir = Path.of(p.getProperty("log.dirs"));
    if (!Files.exists(logDir.resolve("meta.properties"))) {
      int rc = StorageTool.execute(new String[] {"format", "-t", Uuid.randomUuid().toString(),
          "-c", config.toString()}, System.out);
      if (rc != 0) {
        System.err.println("kafka-storage format of " + logDir + " failed (status " + rc + ")");
        System.exit(1);
      }
    }
    Kafka.main(new String[] {config.toString()});
  }
}
