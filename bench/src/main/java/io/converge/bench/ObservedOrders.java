package io.converge.bench;

import io.converge.examples.SampleData;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.Map;

/**
 * Writes generated sample orders to an NDJSON file while showing each one, with its index, to an
 * observer: a benchmark learns what it will query for (a needle's count, ids to look up) in the
 * same pass that writes the data, without holding the orders in memory.
 */
final class ObservedOrders {
  private ObservedOrders() {}

  /** Sees each order, in file order, before it is written. */
  interface Observer {
    void order(long index, Map<String, Object> order);
  }

  static void write(Path file, long docs, long seed, Observer observer) throws IOException {
    Iterator<Map<String, Object>> generated = SampleData.orders(docs, seed);
    Iterator<Map<String, Object>> observed = new Iterator<>() {
      long index;

      @Override
      public boolean hasNext() {
        return generated.hasNext();
      }

      @Override
      public Map<String, Object> next() {
        Map<String, Object> o = generated.next();
        observer.order(index++, o);
        return o;
      }
    };
    try (Writer w = new BufferedWriter(Files.newBufferedWriter(file, StandardCharsets.UTF_8),
        1 << 16)) {
      SampleData.writeNdjson(w, observed);
    }
  }
}
