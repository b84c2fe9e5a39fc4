package io.converge.rules;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.converge.adapter.ConvergeColumn;
import io.converge.adapter.ConvergeSchema;
import io.converge.adapter.ConvergeSchemaFactory;
import io.converge.adapter.ConvergeTable;
import io.converge.storage.ConvergeStore;
import io.converge.storage.query.Aggregation;
import io.converge.storage.query.Predicate;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.calcite.linq4j.Enumerator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The runtime door, without a planner: {@link ConvergeMethods#query} on hand-built queries. */
class ConvergeMethodsTest {
  @TempDir Path dir;
  private ConvergeTable table;

  @BeforeEach
  void write() {
    ConvergeStore store = ConvergeSchemaFactory.store(dir);
    List<Map<String, Object>> docs = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      Map<String, Object> d = new LinkedHashMap<>();
      d.put("_id", "d" + i);
      d.put("k", i % 2 == 0 ? "even" : "odd");
      d.put("n", (long) i);
      if (i != 3) {
        d.put("x", i / 2.0);
      }
      docs.add(d);
    }
    RulesTestSupport.upsert(store, "t", docs);
    table = new ConvergeSchema(store).table("t");
  }

  @AfterEach
  void release() {
    ConvergeSchemaFactory.release(dir);
  }

  private ConvergeColumn column(String name) {
    return table.columns().stream().filter(c -> c.name().equals(name)).findFirst().orElseThrow();
  }

  private static List<Object> rows(ConvergeQuery q) {
    List<Object> out = new ArrayList<>();
    try (Enumerator<Object> e = ConvergeMethods.query(null, q).enumerator()) {
      while (e.moveNext()) {
        out.add(e.current());
      }
    }
    return out;
  }

  @Test
  void anIndexFilterReturnsTheSelectedRowsColumns() {
    ConvergeQuery q = new ConvergeQuery(table, List.of(column("_id"), column("x")),
        new Predicate.Compare("n", Predicate.Op.GE, 7L), null, null, List.of(), false);
    List<Object> rows = rows(q);
    assertEquals(3, rows.size());
    assertArrayEquals(new Object[] {"d7", 3.5}, (Object[]) rows.get(0));
  }

  @Test
  void aLookupIntersectsWithThePredicateAndASingleColumnIsAScalar() {
    ConvergeQuery q = new ConvergeQuery(table, List.of(column("n")),
        new Predicate.Compare("k", Predicate.Op.EQ, "odd"), List.of("d1", "d2", "d3", "nope"),
        null, List.of(), true);
    assertEquals(List.of(1L, 3L), rows(q));
  }

  @Test
  void anAggregateConvertsItsResults() {
    ConvergeQuery q = new ConvergeQuery(table, List.of(), null, null,
        new Aggregation(List.of("k"), List.of(
            new Aggregation.Call(Aggregation.Kind.COUNT, null, false),
            new Aggregation.Call(Aggregation.Kind.SUM, "n", false),
            new Aggregation.Call(Aggregation.Kind.SUM, "x", false),
            new Aggregation.Call(Aggregation.Kind.MIN, "x", false))),
        List.of(new ConvergeQuery.AggregateOutput(ConvergeQuery.OutputKind.VALUE, column("k")),
            new ConvergeQuery.AggregateOutput(ConvergeQuery.OutputKind.COUNT, null),
            new ConvergeQuery.AggregateOutput(ConvergeQuery.OutputKind.SUM_LONG, null),
            new ConvergeQuery.AggregateOutput(ConvergeQuery.OutputKind.SUM_DOUBLE, null),
            new ConvergeQuery.AggregateOutput(ConvergeQuery.OutputKind.VALUE, column("x"))),
        false);
    List<String> rows = new ArrayList<>();
    for (Object r : rows(q)) {
      rows.add(java.util.Arrays.toString((Object[]) r));
    }
    rows.sort(null);
    // even: n 0+2+4+6+8, x 0+1+2+3+4; odd: n 1+3+5+7+9, x 0.5+2.5+3.5+4.5 (d3 has no x)
    assertEquals(List.of("[even, 5, 20, 10.0, 0.0]", "[odd, 5, 25, 11.0, 0.5]"), rows);
  }

  @Test
  void anAggregateOverNoRowsHasOneRowWithoutGroupKeys() {
    ConvergeQuery q = new ConvergeQuery(table, List.of(),
        new Predicate.Compare("k", Predicate.Op.EQ, "none"), null,
        new Aggregation(List.of(), List.of(
            new Aggregation.Call(Aggregation.Kind.COUNT, null, false),
            new Aggregation.Call(Aggregation.Kind.SUM, "n", false),
            new Aggregation.Call(Aggregation.Kind.SUM, "n", false))),
        List.of(new ConvergeQuery.AggregateOutput(ConvergeQuery.OutputKind.COUNT, null),
            new ConvergeQuery.AggregateOutput(ConvergeQuery.OutputKind.SUM_LONG, null),
            new ConvergeQuery.AggregateOutput(ConvergeQuery.OutputKind.SUM0_LONG, null)),
        false);
    List<Object> rows = rows(q);
    assertEquals(1, rows.size());
    assertArrayEquals(new Object[] {0L, null, 0L}, (Object[]) rows.get(0));
  }
}
