package io.converge.rules;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.converge.adapter.ConvergeColumnType;
import io.converge.storage.query.Predicate;
import io.converge.storage.query.Predicate.Op;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.calcite.DataContext;
import org.apache.calcite.adapter.java.JavaTypeFactory;
import org.apache.calcite.linq4j.QueryProvider;
import org.apache.calcite.schema.SchemaPlus;
import org.junit.jupiter.api.Test;

/**
 * Binding parameters: a value is used only when it is exactly a storage value of the column's
 * type; otherwise its comparison is dropped so the predicate selects a superset.
 */
class ConvergeParamsTest {
  @Test
  void onlyExactValuesConvert() {
    assertEquals(5L, ConvergeParams.convert(ConvergeColumnType.BIGINT, 5, 0));
    assertEquals(-7L, ConvergeParams.convert(ConvergeColumnType.BIGINT, new BigDecimal("-7.000"), 0));
    assertNull(ConvergeParams.convert(ConvergeColumnType.BIGINT, new BigDecimal("2.5"), 0));
    assertNull(ConvergeParams.convert(ConvergeColumnType.BIGINT, 2.0d, 0));
    assertNull(ConvergeParams.convert(ConvergeColumnType.BIGINT, "2", 0));
    assertEquals(0.25d, ConvergeParams.convert(ConvergeColumnType.DOUBLE, new BigDecimal("0.25"), 0));
    assertNull(ConvergeParams.convert(ConvergeColumnType.DOUBLE, new BigDecimal("0.1"), 0));
    assertEquals(3.0d, ConvergeParams.convert(ConvergeColumnType.DOUBLE, 3L, 0));
    assertNull(ConvergeParams.convert(ConvergeColumnType.DOUBLE, (1L << 53) + 1, 0));
    assertNull(ConvergeParams.convert(ConvergeColumnType.DOUBLE, Double.NaN, 0));
    assertEquals("a", ConvergeParams.convert(ConvergeColumnType.VARCHAR, "a", 0));
    assertNull(ConvergeParams.convert(ConvergeColumnType.VARCHAR, 1, 0));
    assertEquals(true, ConvergeParams.convert(ConvergeColumnType.BOOLEAN, true, 0));
    assertEquals(Instant.ofEpochMilli(1001), ConvergeParams.convert(ConvergeColumnType.TIMESTAMP,
        1000L, 1));
    assertNull(ConvergeParams.convert(ConvergeColumnType.TIMESTAMP,
        new java.sql.Timestamp(1000L), 0));
    assertNull(ConvergeParams.convert(ConvergeColumnType.BIGINT, null, 0));
  }

  @Test
  void anUnboundComparisonWidensThePredicate() {
    ConvergeQuery.Param p0 = new ConvergeQuery.Param(0, ConvergeColumnType.BIGINT, 0, false);
    ConvergeQuery.Param p1 = new ConvergeQuery.Param(1, ConvergeColumnType.BIGINT, 0, false);
    Predicate a = new Predicate.Compare("n", Op.GE, p0);
    Predicate b = new Predicate.Compare("m", Op.EQ, "x");
    Map<String, Object> values = new HashMap<>();
    values.put("?0", 4);
    values.put("?1", new BigDecimal("1.5"));
    DataContext root = context(values);
    assertEquals(new Predicate.And(List.of(new Predicate.Compare("n", Op.GE, 4L), b)),
        ConvergeParams.bind(root, new Predicate.And(List.of(a, b))));
    // ?1 is not an integer: AND drops it, OR and IN become "all rows"
    assertEquals(b, ConvergeParams.bind(root,
        new Predicate.And(List.of(new Predicate.Compare("n", Op.EQ, p1), b))));
    assertNull(ConvergeParams.bind(root,
        new Predicate.Or(List.of(new Predicate.Compare("n", Op.EQ, p1), b))));
    assertNull(ConvergeParams.bind(root, new Predicate.In("n", List.of(p0, p1))));
    assertEquals(new Predicate.In("n", List.of(4L, 9L)),
        ConvergeParams.bind(root, new Predicate.In("n", List.of(p0, 9L))));
  }

  @Test
  void anExactParameterNeverWidens() {
    ConvergeQuery.Param p0 = new ConvergeQuery.Param(0, ConvergeColumnType.VARCHAR, 0, true);
    ConvergeQuery.Param p1 = new ConvergeQuery.Param(1, ConvergeColumnType.VARCHAR, 0, true);
    Predicate nothing = new Predicate.And(List.of(new Predicate.IsNull("s"),
        new Predicate.IsNotNull("s")));
    Map<String, Object> values = new HashMap<>();
    values.put("?0", "a");
    values.put("?1", null);
    DataContext root = context(values);
    assertEquals(new Predicate.Compare("s", Op.EQ, "a"),
        ConvergeParams.bind(root, new Predicate.Compare("s", Op.EQ, p0)));
    // = NULL is UNKNOWN: no row, where an inexact parameter would select every row
    assertEquals(nothing, ConvergeParams.bind(root, new Predicate.Compare("s", Op.EQ, p1)));
    assertEquals(new Predicate.In("s", List.of("a")),
        ConvergeParams.bind(root, new Predicate.In("s", List.of(p0, p1))));
    assertEquals(nothing, ConvergeParams.bind(root, new Predicate.In("s", List.of(p1))));
    values.put("?0", 5L);
    IllegalArgumentException e = org.junit.jupiter.api.Assertions.assertThrows(
        IllegalArgumentException.class,
        () -> ConvergeParams.bind(root, new Predicate.Compare("s", Op.EQ, p0)));
    org.junit.jupiter.api.Assertions.assertTrue(e.getMessage().contains("?0"), e.getMessage());
  }

  private static DataContext context(Map<String, Object> values) {
    return new DataContext() {
      @Override
      public SchemaPlus getRootSchema() {
        return null;
      }

      @Override
      public JavaTypeFactory getTypeFactory() {
        return null;
      }

      @Override
      public QueryProvider getQueryProvider() {
        return null;
      }

      @Override
      public Object get(String name) {
        return values.get(name);
      }
    };
  }
}
