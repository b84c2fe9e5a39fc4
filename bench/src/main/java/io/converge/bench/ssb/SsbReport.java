package io.converge.bench.ssb;

import io.converge.bench.ssb.SsbBenchmark.Findings;
import io.converge.bench.ssb.SsbQueries.Form;
import io.converge.bench.ssb.SsbTimer.Measurement;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** The SSB benchmark's figures as markdown: loads, per-query medians and ratios, checks, plans. */
final class SsbReport {
  /** The aim for Converge's geometric mean against DuckDB's. */
  static final double DUCKDB_AIM = 2;
  /** Issue 14: the total of medians with plain statements against DuckDB's total. */
  static final double TOTAL_AIM = 1.5;

  private final SsbOptions options;
  private final Findings f;

  SsbReport(SsbOptions options, Findings findings) {
    this.options = options;
    this.f = findings;
  }

  static String scaleFactor(double sf) {
    return new BigDecimal(Double.toString(sf)).stripTrailingZeros().toPlainString();
  }

  /** Every failed query and every result that differs from DuckDB's flat-form rows. */
  List<String> problems() {
    List<String> problems = new ArrayList<>();
    f.differences().forEach((form, byQuery) -> byQuery.forEach((query, byEngine) ->
        byEngine.forEach((engine, d) -> {
          if (d != null) {
            problems.add(query + " " + name(form) + " on " + engine + ": " + d);
          }
        })));
    return problems;
  }

  /** Load table, one query table per form, and the targets: what stdout shows. */
  String tables() {
    StringBuilder b = new StringBuilder();
    b.append(loadTable()).append('\n');
    for (Form form : f.measurements().keySet()) {
      b.append("Queries on ").append(form == Form.FLAT ? "`lineorder_flat`"
          : "the star schema (`lineorder` joined with its dimensions)").append(", median ms:\n\n");
      b.append(queryTable(form)).append('\n');
    }
    b.append(targets());
    return b.toString();
  }

  String markdown() {
    SsbGenerator g = f.generator();
    StringBuilder b = new StringBuilder();
    b.append(String.format(Locale.ROOT, "`bin/converge bench ssb --sf %s%s` (%d timed runs after"
            + " %d warm-up runs per query and engine, median; %d s budget per query and engine;"
            + " seed %d). Machine: %s. Load average %.1f before the queries, %.1f after.%n%n",
        scaleFactor(options.scaleFactor()), options.h2Star() ? "" : " --h2-star false",
        options.runs(), options.warmup(), options.budgetSeconds(), options.seed(), f.machine(),
        f.loadBefore(), f.loadAfter()));
    int cores = Runtime.getRuntime().availableProcessors();
    if (Math.max(f.loadBefore(), f.loadAfter()) > cores) {
      b.append(String.format(Locale.ROOT, "**The machine was busy** (load average above its %d"
          + " cores): other processes competed for the CPUs, so every engine's times are"
          + " pessimistic and noisy; compare ratios within this run, not with other runs.%n%n",
          cores));
    }
    b.append(String.format(Locale.ROOT, "Data: the project's SSB generator"
            + " (`io.converge.bench.ssb.SsbGenerator`) at scale factor %s: %,d line orders"
            + " (%,d orders), %,d customers, %,d suppliers, %,d parts, %,d days, plus"
            + " `lineorder_flat` (%d columns), generated in %.1f s as NDJSON (Converge) and CSV"
            + " (DuckDB, H2), not timed. Engines: Converge through the Avatica remote driver"
            + " (protobuf) of a `ConvergeServer` on loopback in the same JVM; DuckDB 2.0"
            + " (`duckdb_jdbc`, on-disk file, %s); H2 2.5 (embedded file mode, 1 GB cache,"
            + " `OPTIMIZE_REUSE_RESULTS 0`, primary keys on the dimension tables). Each run of"
            + " a plain statement is parsed, planned and executed (what sqlline and DBeaver"
            + " send); *prepared* is one `PreparedStatement` per query, prepared before its"
            + " runs. Every result is compared with DuckDB's flat-form result, sorted, fractions"
            + " within 1e-9 relative.%n%n",
        scaleFactor(options.scaleFactor()), rows("lineorder"), g.orders(), g.customers(),
        g.suppliers(), g.parts(), SsbGenerator.DAYS, SsbTable.LINEORDER_FLAT.columns().size(),
        f.generateNanos() / 1e9, "threads = cores"));
    b.append(tables());
    List<String> problems = problems();
    if (!problems.isEmpty()) {
      b.append("\nFailures and differences:\n\n");
      for (String p : problems) {
        b.append("- ").append(p.replace("|", "\\|")).append('\n');
      }
    }
    b.append("\nConverge's plans (`EXPLAIN PLAN FOR`, all 13 of each form are printed to"
        + " stderr by the run):\n");
    for (String label : SsbBenchmark.REPORTED_PLANS) {
      String plan = f.plans().get(label);
      if (plan != null) {
        b.append("\n").append(label).append(":\n\n```\n").append(plan).append("\n```\n");
      }
    }
    return b.toString();
  }

  private long rows(String table) {
    return f.files().stream().filter(w -> w.table().name().equals(table))
        .mapToLong(SsbFiles.Written::rows).sum();
  }

  private String loadTable() {
    List<String> peers = new ArrayList<>(f.peerLoadNanos().keySet());
    StringBuilder b = new StringBuilder("| Load | rows | Converge |");
    for (String p : peers) {
      b.append(' ').append(p).append(" |");
    }
    b.append("\n|---|---:|---:|").append("---:|".repeat(peers.size())).append('\n');
    for (SsbFiles.Written w : f.files()) {
      String t = w.table().name();
      b.append("| `").append(t).append("` | ").append(String.format(Locale.ROOT, "%,d", w.rows()))
          .append(" | ").append(seconds(f.converge().nanos().get(t))).append(" |");
      for (String p : peers) {
        b.append(' ').append(seconds(f.peerLoadNanos().get(p).get(t))).append(" |");
      }
      b.append('\n');
    }
    b.append("| finish (Converge: seal segments, flush, close; DuckDB: checkpoint; H2: analyze,"
        + " checkpoint) | | ").append(seconds(f.converge().closeNanos())).append(" |");
    for (String p : peers) {
      b.append(' ').append(seconds(f.peerLoadNanos().get(p).get(""))).append(" |");
    }
    b.append("\n| **total load** | | **").append(seconds(f.converge().totalNanos()))
        .append("** |");
    for (String p : peers) {
      long total = f.peerLoadNanos().get(p).values().stream().mapToLong(Long::longValue).sum();
      b.append(" **").append(seconds(total)).append("** |");
    }
    b.append("\n| size on disk | | ").append(SsbBenchmark.mb(f.converge().dirBytes()))
        .append(" |");
    for (String p : peers) {
      b.append(' ').append(SsbBenchmark.mb(f.peerSizes().get(p))).append(" |");
    }
    return b.append('\n').toString();
  }

  String queryTable(Form form) {
    Map<String, Map<String, Measurement>> byQuery = f.measurements().get(form);
    List<String> engines = engines(form);
    boolean h2 = engines.contains(SsbBenchmark.H2);
    StringBuilder b = new StringBuilder("| Query |");
    for (String e : engines) {
      b.append(' ').append(e).append(" |");
    }
    b.append(" Converge / DuckDB | prepared / DuckDB |").append(h2 ? " Converge / H2 |" : "")
        .append(" rows | same rows as DuckDB |\n|---|");
    b.append("---:|".repeat(engines.size() + (h2 ? 4 : 3))).append("---|\n");
    for (Map.Entry<String, Map<String, Measurement>> q : byQuery.entrySet()) {
      Map<String, Measurement> m = q.getValue();
      b.append("| ").append(q.getKey()).append(" |");
      for (String e : engines) {
        b.append(' ').append(cell(m.get(e))).append(" |");
      }
      b.append(' ').append(ratio(m.get(SsbBenchmark.CONVERGE), m.get(SsbBenchmark.DUCKDB)))
          .append(" | ")
          .append(ratio(m.get(SsbBenchmark.CONVERGE_PREPARED), m.get(SsbBenchmark.DUCKDB)))
          .append(" |");
      if (h2) {
        b.append(' ').append(ratio(m.get(SsbBenchmark.CONVERGE), m.get(SsbBenchmark.H2)))
            .append(" |");
      }
      Measurement duck = m.get(SsbBenchmark.DUCKDB);
      b.append(' ').append(duck.ok() ? String.format(Locale.ROOT, "%,d", duck.rows().size())
          : "").append(" | ").append(sameCell(f.differences().get(form).get(q.getKey())))
          .append(" |\n");
    }
    // Geometric means over the queries that ran on every engine of this table.
    List<String> complete = byQuery.entrySet().stream()
        .filter(q -> q.getValue().values().stream().allMatch(Measurement::ok))
        .map(Map.Entry::getKey).toList();
    String scope = complete.size() < byQuery.size()
        ? " (" + complete.size() + " queries that ran everywhere)" : "";
    if (complete.isEmpty()) {
      b.append("| geometric mean").append(scope).append(" |");
      b.append("  |".repeat(engines.size()));
      b.append(" | |").append(h2 ? " |" : "").append(" | |\n");
    } else {
      summaryRow(b, "geometric mean" + scope, engines, h2, e -> geomean(form, complete, e));
      summaryRow(b, "total of medians" + scope, engines, h2, e -> total(form, complete, e));
    }
    return b.toString();
  }

  /** The three targets, on each form. */
  String targets() {
    StringBuilder b = new StringBuilder("Targets (issue 5):\n\n");
    int pairs = 0;
    int same = 0;
    for (Map<String, Map<String, String>> byQuery : f.differences().values()) {
      for (Map<String, String> byEngine : byQuery.values()) {
        for (String d : byEngine.values()) {
          pairs++;
          same += d == null ? 1 : 0;
        }
      }
    }
    b.append(String.format(Locale.ROOT, "- every result identical to DuckDB's: %s (%d of %d"
        + " query/engine/form results)%n", same == pairs ? "**met**" : "**not met**", same,
        pairs));
    for (Form form : Form.values()) {
      Map<String, Map<String, Measurement>> byQuery = f.measurements().get(form);
      if (byQuery == null || byQuery.isEmpty()) {
        continue;
      }
      String name = form.name().toLowerCase(Locale.ROOT);
      boolean h2Ran = byQuery.values().stream().anyMatch(m -> m.containsKey(SsbBenchmark.H2));
      int faster = 0;
      List<String> slower = new ArrayList<>();
      for (Map.Entry<String, Map<String, Measurement>> q : byQuery.entrySet()) {
        Measurement c = q.getValue().get(SsbBenchmark.CONVERGE);
        Measurement h = q.getValue().get(SsbBenchmark.H2);
        if (c != null && h != null && c.ok() && (!h.ok() || c.medianNanos() < h.medianNanos())) {
          faster++;
        } else {
          slower.add(q.getKey());
        }
      }
      if (!h2Ran) {
        b.append(String.format(Locale.ROOT, "- Converge (plain statements) faster than H2 on every"
            + " %s query: not measured (H2 skipped on this form)%n", name));
      } else {
        b.append(String.format(Locale.ROOT, "- Converge (plain statements) faster than H2 on every"
                + " %s query: %s (%d of %d%s)%n", name,
            slower.isEmpty() ? "**met**" : "**not met**", faster, byQuery.size(),
            slower.isEmpty() ? "" : "; not on " + String.join(", ", slower)));
      }
      List<String> complete = byQuery.entrySet().stream()
          .filter(q -> q.getValue().values().stream().allMatch(Measurement::ok))
          .map(Map.Entry::getKey).toList();
      if (complete.isEmpty()) {
        b.append(String.format(Locale.ROOT, "- geometric mean within %.0fx of DuckDB's on the %s"
            + " form: **not met** (no query ran everywhere)%n", DUCKDB_AIM, name));
      } else {
        double duck = geomean(form, complete, SsbBenchmark.DUCKDB);
        double plain = geomean(form, complete, SsbBenchmark.CONVERGE) / duck;
        double prepared = geomean(form, complete, SsbBenchmark.CONVERGE_PREPARED) / duck;
        double plainTotal = total(form, complete, SsbBenchmark.CONVERGE)
            / total(form, complete, SsbBenchmark.DUCKDB);
        b.append(String.format(Locale.ROOT, "- total of medians with plain statements within"
                + " %.1fx of DuckDB's on the %s form (issue 14): %s (%s)%n", TOTAL_AIM, name,
            plainTotal <= TOTAL_AIM ? "**met**" : "**not met**", times(plainTotal)));
        b.append(String.format(Locale.ROOT, "- geometric mean within %.0fx of DuckDB's on the %s"
                + " form: %s (plain statements %s, prepared %s%s)%n", DUCKDB_AIM, name,
            plain <= DUCKDB_AIM ? "**met**" : prepared <= DUCKDB_AIM ? "**met with prepared"
                + " statements only**" : "**not met**", times(plain), times(prepared),
            complete.size() < byQuery.size() ? ", over the " + complete.size()
                + " queries that ran on every engine" : ""));
      }
    }
    return b.toString();
  }

  private List<String> engines(Form form) {
    List<String> engines = new ArrayList<>();
    for (Map<String, Measurement> m : f.measurements().get(form).values()) {
      for (String e : m.keySet()) {
        if (!engines.contains(e)) {
          engines.add(e);
        }
      }
    }
    return engines;
  }

  /** Sum of the queries' medians on one engine: what a user running them all once waits. */
  /**
   * One summary row: each engine's figure ({@code of}), then Converge's (plain and prepared)
   * over DuckDB's and, with H2, Converge's over H2's.
   */
  private static void summaryRow(StringBuilder b, String label, List<String> engines, boolean h2,
      java.util.function.ToDoubleFunction<String> of) {
    b.append("| ").append(label).append(" |");
    for (String e : engines) {
      b.append(' ').append(ms(of.applyAsDouble(e))).append(" |");
    }
    double duck = of.applyAsDouble(SsbBenchmark.DUCKDB);
    b.append(' ').append(times(of.applyAsDouble(SsbBenchmark.CONVERGE) / duck))
        .append(" | ")
        .append(times(of.applyAsDouble(SsbBenchmark.CONVERGE_PREPARED) / duck))
        .append(" |");
    if (h2) {
      b.append(' ').append(times(of.applyAsDouble(SsbBenchmark.CONVERGE)
          / of.applyAsDouble(SsbBenchmark.H2))).append(" |");
    }
    b.append(" | |\n");
  }

  private double total(Form form, List<String> queries, String engine) {
    double sum = 0;
    for (String q : queries) {
      sum += f.measurements().get(form).get(q).get(engine).medianNanos();
    }
    return sum;
  }

  private double geomean(Form form, List<String> queries, String engine) {
    double logSum = 0;
    for (String q : queries) {
      logSum += Math.log(f.measurements().get(form).get(q).get(engine).medianNanos());
    }
    return Math.exp(logSum / queries.size());
  }

  private static String sameCell(Map<String, String> byEngine) {
    List<String> wrong = new ArrayList<>();
    byEngine.forEach((engine, d) -> {
      if (d != null) {
        wrong.add(engine + (d.startsWith("failed") ? ": failed" : ": differs"));
      }
    });
    return wrong.isEmpty() ? "yes" : "**no**: " + String.join(", ", wrong);
  }

  private String cell(Measurement m) {
    if (m == null) {
      return "";
    }
    if (!m.ok()) {
      return "**failed**";
    }
    String s = ms(m.medianNanos());
    return m.nanos().length < m.asked() ? s + " (" + m.nanos().length + " run"
        + (m.nanos().length == 1 ? "" : "s") + ")" : s;
  }

  private static String ratio(Measurement a, Measurement b) {
    if (a == null || b == null || !a.ok() || !b.ok()) {
      return "";
    }
    return times(a.medianNanos() / b.medianNanos());
  }

  static String times(double r) {
    return r >= 10 ? String.format(Locale.ROOT, "%,.0fx", r)
        : String.format(Locale.ROOT, "%.2fx", r);
  }

  static String ms(double nanos) {
    double m = nanos / 1e6;
    return m >= 100 ? String.format(Locale.ROOT, "%,.0f", m)
        : String.format(Locale.ROOT, "%.1f", m);
  }

  private static String seconds(Long nanos) {
    return nanos == null ? "" : String.format(Locale.ROOT, "%.1f s", nanos / 1e9);
  }

  private static String name(Form form) {
    return form.name().toLowerCase(Locale.ROOT);
  }
}
