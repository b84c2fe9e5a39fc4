package io.converge.bench;

import io.converge.examples.SampleData;
import io.converge.server.tailer.RecordValues;
import io.converge.server.tailer.TailBatch;
import io.converge.server.tailer.TailBatchBuilder;
import io.converge.storage.json.DocumentLimits;
import io.converge.storage.json.JsonDocumentReader;
import io.converge.storage.json.JsonText;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.record.TimestampType;

/**
 * The cluster's log format, in one process: the CPU a document costs where the format matters,
 * as JSON text against {@link RecordValues}'s binary form, in the same run. The aggregator's
 * half turns a parsed document into a record value; the leaf's half turns a poll's records into
 * the prepared documents it writes ({@link TailBatchBuilder}, every index's input). Kafka,
 * HTTP and RocksDB are the same for both forms and left out.
 */
final class LogFormatBenchmark {
  /** Records per poll, as a leaf gets them under load. */
  static final int POLL = 1000;

  record Options(long docs, int runs, int warmup, long seed, Path out, boolean help) {
    static Options parse(String[] args) {
      long docs = 200_000;
      int runs = 5;
      int warmup = 3;
      long seed = SampleData.DEMO_SEED;
      Path out = Path.of("docs", "benchmarks.md");
      OptionArgs it = new OptionArgs(args);
      while (it.next()) {
        String name = it.name();
        String value = it.value();
        switch (name) {
          case "--docs" -> docs = Math.min(5_000_000, OptionArgs.positive(name, value));
          case "--runs" -> runs = (int) OptionArgs.positive(name, value);
          case "--warmup" -> warmup = (int) OptionArgs.nonNegative(name, value);
          case "--seed" -> seed = OptionArgs.number(name, value);
          case "--out" -> out = value.equals("none") ? null : Path.of(value);
          default -> throw it.unknown();
        }
      }
      return new Options(docs, runs, warmup, seed, out, it.help());
    }
  }

  /** One form's medians, nanoseconds per document. */
  record Costs(String form, double write, double read, long bytes) {
    double both() {
      return write + read;
    }
  }

  private final Options options;
  private final PrintStream out;

  LogFormatBenchmark(Options options, PrintStream out) {
    this.options = options;
    this.out = out;
  }

  boolean run() throws IOException {
    MachineInfo machine = MachineInfo.current();
    out.println("Log format benchmark: " + Timings.count(options.docs()) + " orders, "
        + options.runs() + " timed runs after " + options.warmup() + " warm-up runs");
    List<Map<String, Object>> docs = parsedOrders();
    Form json = new Form("JSON text", false);
    Form binary = new Form("binary (converge.format: document)", true);
    TailBatchBuilder builder = new TailBatchBuilder();
    for (int run = -options.warmup(); run < options.runs(); run++) {
      // the forms take turns first, so that neither always runs after the other's garbage
      for (Form f : run % 2 == 0 ? List.of(json, binary) : List.of(binary, json)) {
        f.run(run, docs, builder);
      }
    }
    String body = report(machine, json.costs(), binary.costs());
    out.println(body);
    if (options.out() != null) {
      MarkdownSection.write(options.out(), "Log format benchmark", body);
      out.println("Wrote section 'Log format benchmark' of " + options.out());
    }
    return true;
  }

  /** The orders as the aggregator holds them: parsed from their JSON text. */
  private List<Map<String, Object>> parsedOrders() throws IOException {
    StringBuilder ndjson = new StringBuilder();
    Iterator<Map<String, Object>> it = SampleData.orders(options.docs(), options.seed());
    while (it.hasNext()) {
      ndjson.append(JsonText.write(it.next())).append('\n');
    }
    byte[] bytes = ndjson.toString().getBytes(StandardCharsets.UTF_8);
    List<Map<String, Object>> docs = new ArrayList<>((int) options.docs());
    try (JsonDocumentReader r = JsonDocumentReader.ofBytes(bytes, 0, bytes.length,
        DocumentLimits.DEFAULTS)) {
      JsonDocumentReader.Entry e;
      while ((e = r.next()) != null) {
        docs.add(e.document());
      }
    }
    return docs;
  }

  /** One form's timed runs. */
  private final class Form {
    private final String name;
    private final boolean encoded;
    private final long[] write = new long[options.runs()];
    private final long[] read = new long[options.runs()];
    private long bytes;
    private int docs;

    Form(String name, boolean encoded) {
      this.name = name;
      this.encoded = encoded;
    }

    void run(int run, List<Map<String, Object>> in, TailBatchBuilder builder) {
      int n = in.size();
      long start = System.nanoTime();
      List<ConsumerRecord<byte[], byte[]>> records = new ArrayList<>(n);
      long size = 0;
      for (int i = 0; i < n; i++) {
        Map<String, Object> d = in.get(i);
        byte[] value = encoded ? RecordValues.encode(d)
            : JsonText.write(d).getBytes(StandardCharsets.UTF_8);
        size += value.length;
        records.add(new ConsumerRecord<>("t", 0, i, 1L, TimestampType.CREATE_TIME, -1, -1,
            null, value, encoded ? new RecordHeaders(RecordValues.ENCODED_HEADERS)
                : new RecordHeaders(), Optional.empty()));
      }
      long written = System.nanoTime();
      long applied = 0;
      for (int from = 0; from < n; from += POLL) {
        TailBatch b = builder.build(records.subList(from, Math.min(n, from + POLL)), 0L);
        applied += b.upserts();
      }
      long end = System.nanoTime();
      if (applied != n) {
        throw new IllegalStateException(name + ": " + applied + " of " + n + " documents read");
      }
      if (run >= 0) {
        write[run] = written - start;
        read[run] = end - written;
        bytes = size;
        docs = n;
      }
      out.printf("  %s run %d: write %.2f us/doc, read %.2f us/doc%n", name, run,
          (written - start) / 1e3 / n, (end - written) / 1e3 / n);
    }

    Costs costs() {
      return new Costs(name, Timings.median(write) / docs, Timings.median(read) / docs,
          bytes / docs);
    }
  }

  private String report(MachineInfo machine, Costs json, Costs binary) {
    StringBuilder s = new StringBuilder();
    s.append("Command: `bin/converge bench log-format --docs ").append(options.docs())
        .append(" --runs ").append(options.runs()).append(" --warmup ").append(options.warmup())
        .append("`\n\nMachine: ").append(machine.describe()).append("\n\n");
    s.append("One thread, ").append(Timings.count(options.docs())).append(" sample orders "
        + "parsed from JSON first (as the aggregator holds them). Write: the document to a "
        + "record value (the aggregator). Read: polls of ").append(POLL).append(" records to "
        + "prepared documents, every index's input (a leaf's `TailBatchBuilder`). Medians of "
        + "the timed runs, microseconds of one thread per document.\n\n");
    s.append("| Form | write us/doc | read us/doc | both us/doc | bytes/doc |\n");
    s.append("|---|---:|---:|---:|---:|\n");
    for (Costs c : List.of(json, binary)) {
      s.append(String.format(java.util.Locale.ROOT, "| %s | %.2f | %.2f | %.2f | %d |%n",
          c.form(), c.write() / 1e3, c.read() / 1e3, c.both() / 1e3, c.bytes()));
    }
    s.append(String.format(java.util.Locale.ROOT, "| JSON / binary | %.2fx | %.2fx | %.2fx |"
        + " %.2fx |%n", json.write() / binary.write(), json.read() / binary.read(),
        json.both() / binary.both(), (double) json.bytes() / binary.bytes()));
    return s.toString();
  }
}
