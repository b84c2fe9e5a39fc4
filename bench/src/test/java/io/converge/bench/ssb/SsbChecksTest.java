package io.converge.bench.ssb;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.converge.bench.ssb.SsbQueries.Form;
import io.converge.bench.ssb.SsbQueries.Query;
import io.converge.bench.ssb.SsbTimer.Measurement;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Result comparison, the checks against DuckDB, the query texts and the options. */
class SsbChecksTest {

  static SsbRows rows(Object[]... rows) {
    return new SsbRows(Arrays.stream(rows)
        .map(r -> Arrays.stream(r).map(SsbRows::normalize).toList()).toList());
  }

  @Test
  void numbersCompareAcrossEngineTypesAndRowOrder() {
    SsbRows duck = rows(new Object[] {1993L, "MFGR#121", new BigInteger("123456789")},
        new Object[] {1992L, "MFGR#122", new BigInteger("5")});
    SsbRows other = rows(new Object[] {1992, "MFGR#122", new BigDecimal("5.000")},
        new Object[] {1993, "MFGR#121", 123456789L});
    assertNull(SsbRows.difference(duck, other));
    assertNotNull(SsbRows.difference(duck, rows(new Object[] {1992, "MFGR#122", 5L},
        new Object[] {1993, "MFGR#121", 123456788L})));
    assertNotNull(SsbRows.difference(duck, rows(new Object[] {1992, "MFGR#122", 5L})));
    assertNull(SsbRows.difference(rows(new Object[] {0.1 + 0.2}), rows(new Object[] {0.3})));
    assertNotNull(SsbRows.difference(rows(new Object[] {0.3}), rows(new Object[] {0.3001})));
  }

  @Test
  void checkReportsDifferencesAndFailures() {
    Measurement reference = new Measurement(new long[] {1}, 1, rows(new Object[] {7L}), null);
    Measurement same = new Measurement(new long[] {2}, 1, rows(new Object[] {7}), null);
    Measurement wrong = new Measurement(new long[] {2}, 1, rows(new Object[] {8L}), null);
    Measurement failed = new Measurement(new long[0], 1, null, "unsupported");
    Map<Form, Map<String, Map<String, Measurement>>> m = new EnumMap<>(Form.class);
    Map<String, Measurement> flat = new LinkedHashMap<>();
    flat.put(SsbBenchmark.CONVERGE, same);
    flat.put(SsbBenchmark.DUCKDB, reference);
    flat.put(SsbBenchmark.H2, wrong);
    Map<String, Measurement> star = new LinkedHashMap<>();
    star.put(SsbBenchmark.CONVERGE, failed);
    star.put(SsbBenchmark.DUCKDB, same);
    m.put(Form.FLAT, Map.of("Q1.1", flat));
    m.put(Form.STAR, Map.of("Q1.1", star));
    Map<Form, Map<String, Map<String, String>>> d = SsbBenchmark.check(m);
    assertNull(d.get(Form.FLAT).get("Q1.1").get(SsbBenchmark.CONVERGE));
    assertNull(d.get(Form.FLAT).get("Q1.1").get(SsbBenchmark.DUCKDB));
    assertNotNull(d.get(Form.FLAT).get("Q1.1").get(SsbBenchmark.H2));
    assertEquals("failed: unsupported", d.get(Form.STAR).get("Q1.1").get(SsbBenchmark.CONVERGE));
    assertNull(d.get(Form.STAR).get("Q1.1").get(SsbBenchmark.DUCKDB));
  }

  @Test
  void bothFormsShareFiltersAndGrouping() {
    assertEquals(13, SsbQueries.ALL.size());
    for (Query q : SsbQueries.ALL) {
      assertTrue(q.flat().contains(" from lineorder_flat where "), q.flat());
      assertFalse(q.star().contains("lineorder_flat"), q.star());
      String where = q.flat().substring(q.flat().indexOf(" where ") + 7);
      assertTrue(q.star().endsWith(where), q.id() + ": " + q.star());
    }
    assertEquals("select sum(lo_extendedprice * lo_discount) as revenue from lineorder, dwdate"
        + " where lo_orderdate = d_datekey and d_year = 1993 and lo_discount between 1 and 3"
        + " and lo_quantity < 25", SsbQueries.byId("Q1.1").star());
  }

  @Test
  void optionsParseAndReject() {
    SsbOptions o = SsbOptions.parse(new String[] {"--sf", "0.01", "--runs=3", "--out", "none",
        "--h2-star", "false"});
    assertEquals(0.01, o.scaleFactor());
    assertEquals(3, o.runs());
    assertNull(o.out());
    assertFalse(o.h2Star());
    assertTrue(SsbOptions.parse(new String[0]).h2Star());
    assertEquals(Path.of("docs", "benchmarks.md"), SsbOptions.parse(new String[0]).out());
    assertEquals(1.0, SsbOptions.parse(new String[0]).scaleFactor());
    for (List<String> bad : List.of(List.of("--sf", "0"), List.of("--sf", "x"),
        List.of("--runs", "0"), List.of("--nope", "1"), List.of("--sf"))) {
      assertThrows(IllegalArgumentException.class,
          () -> SsbOptions.parse(bad.toArray(new String[0])), bad.toString());
    }
    assertEquals("0.01", SsbReport.scaleFactor(0.01));
    assertEquals("1", SsbReport.scaleFactor(1));
  }

  private static Measurement ms(double millis) {
    return new Measurement(new long[] {(long) (millis * 1e6)}, 1, rows(new Object[] {1L}), null);
  }

  @Test
  void targetsAreJudgedOnEachForm() {
    Map<Form, Map<String, Map<String, Measurement>>> m = new EnumMap<>(Form.class);
    Map<String, Map<String, Measurement>> flat = new LinkedHashMap<>();
    Map<String, Map<String, Measurement>> star = new LinkedHashMap<>();
    for (String q : List.of("Q1.1", "Q1.2")) {
      Map<String, Measurement> f = new LinkedHashMap<>();
      f.put(SsbBenchmark.CONVERGE, ms(30));
      f.put(SsbBenchmark.CONVERGE_PREPARED, ms(15));
      f.put(SsbBenchmark.DUCKDB, ms(10));
      f.put(SsbBenchmark.H2, ms(q.equals("Q1.1") ? 100 : 20));
      flat.put(q, f);
      Map<String, Measurement> s = new LinkedHashMap<>(f);
      s.remove(SsbBenchmark.H2); // --h2-star false
      star.put(q, s);
    }
    m.put(Form.FLAT, flat);
    m.put(Form.STAR, star);
    SsbBenchmark.Findings findings = new SsbBenchmark.Findings(null, "test", 0, List.of(), null,
        Map.of(), Map.of(), 0, m, SsbBenchmark.check(m), Map.of(), 0, 0);
    String t = new SsbReport(SsbOptions.parse(new String[0]), findings).targets();
    assertTrue(t.contains("every result identical to DuckDB's: **met** (14 of 14"), t);
    assertTrue(t.contains("faster than H2 on every flat query: **not met** (1 of 2; not on Q1.2)"),
        t);
    assertTrue(t.contains("faster than H2 on every star query: not measured"), t);
    assertTrue(t.contains("within 2x of DuckDB's on the flat form: **met with prepared statements"
        + " only** (plain statements 3.00x, prepared 1.50x)"), t);
    assertTrue(t.contains("within 2x of DuckDB's on the star form: **met with prepared"), t);
    assertTrue(t.contains("total of medians with plain statements within 1.5x of DuckDB's on the"
        + " flat form (issue 14): **not met** (3.00x)"), t);
  }

  @Test
  void summaryRowsGiveEachEnginesGeometricMeanAndTotalWithRatios() {
    Map<Form, Map<String, Map<String, Measurement>>> m = new EnumMap<>(Form.class);
    Map<String, Map<String, Measurement>> flat = new LinkedHashMap<>();
    for (String q : List.of("Q1.1", "Q1.2")) {
      Map<String, Measurement> f = new LinkedHashMap<>();
      f.put(SsbBenchmark.CONVERGE, ms(30));
      f.put(SsbBenchmark.CONVERGE_PREPARED, ms(15));
      f.put(SsbBenchmark.DUCKDB, ms(10));
      f.put(SsbBenchmark.H2, ms(q.equals("Q1.1") ? 80 : 20));
      flat.put(q, f);
    }
    m.put(Form.FLAT, flat);
    SsbBenchmark.Findings findings = new SsbBenchmark.Findings(null, "test", 0, List.of(), null,
        Map.of(), Map.of(), 0, m, SsbBenchmark.check(m), Map.of(), 0, 0);
    String table = new SsbReport(SsbOptions.parse(new String[0]), findings).queryTable(Form.FLAT);
    assertTrue(table.contains("| geometric mean | 30.0 | 15.0 | 10.0 | 40.0 | 3.00x | 1.50x | 0.75x"
        + " | | |\n"), table);
    assertTrue(table.contains(
        "| total of medians | 60.0 | 30.0 | 20.0 | 100 | 3.00x | 1.50x | 0.60x | | |\n"), table);
  }
}
