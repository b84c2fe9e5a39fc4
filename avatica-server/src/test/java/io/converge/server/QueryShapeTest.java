package io.converge.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.math.BigDecimal;
import java.util.List;
import org.apache.calcite.avatica.util.Casing;
import org.apache.calcite.sql.parser.SqlParser;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class QueryShapeTest {
  private static final SqlParser.Config PARSER =
      SqlParser.config().withUnquotedCasing(Casing.UNCHANGED).withCaseSensitive(false);

  private static QueryShape shape(String sql) {
    return QueryShape.of(sql, PARSER);
  }

  @Test
  void aLiteralComparedWithAColumnBecomesAMarker() {
    QueryShape s = shape("select * from orders where \"_id\" = 'o-7'");
    assertEquals("select * from orders where \"_id\" = ?", s.text());
    assertEquals(List.of("o-7"), s.values());
  }

  @Test
  void markersFollowTheTextOrderWhicheverSideTheLiteralIsOn() {
    QueryShape s = shape("select a from t where 5 < amount and status <> 'it''s'"
        + " or c <= 2.50 and d > 12345678901234567890");
    assertEquals("select a from t where ? < amount and status <> ? or c <= ? and d > ?", s.text());
    assertEquals(List.of(5L, "it's", new BigDecimal("2.50"),
        new BigDecimal("12345678901234567890")), s.values());
  }

  @Test
  void inListsOfOneKindAndLiteralsOnOtherLinesAreTaken() {
    QueryShape s = shape("select a\r\nfrom t\nwhere status in ('a', 'b',\n 'c')\r and n not in (1, 2)"
        + " and k = ''");
    assertEquals("select a\r\nfrom t\nwhere status in (?, ?,\n ?)\r and n not in (?, ?)"
        + " and k = ?", s.text());
    assertEquals(List.of("a", "b", "c", 1L, 2L, ""), s.values());
  }

  @Test
  void joinsSubqueriesAndOrderByKeepTheirOtherLiterals() {
    QueryShape s = shape("select t.a, count(*) from t join u on t.k = u.k where u.x = 'p'"
        + " and t.y in (select y from v where z = 3) group by t.a having count(*) > 2"
        + " order by 2 desc limit 10");
    assertNotNull(s);
    assertEquals("select t.a, count(*) from t join u on t.k = u.k where u.x = ?"
        + " and t.y in (select y from v where z = ?) group by t.a having count(*) > 2"
        + " order by 2 desc limit 10", s.text());
    assertEquals(List.of("p", 3L), s.values());
  }

  @ParameterizedTest
  @ValueSource(strings = {
      "values 1",
      "select * from t",
      "select * from t where a || '' = 'x'", // compared with an expression, not a column
      "select * from t where a like 'x%'",
      "select * from t where a = 1e3", // approximate
      "select * from t where a = 'x '", // trailing blank: CHAR rules
      "select * from t where a = N'x'",
      "select * from t where a = _ISO-8859-1'x'",
      "select * from t where a = ?",
      "select * from t where a in ('x', 1)",
      "select * from t where 'x' = 'x'",
      "explain plan for select * from t where a = 'x'",
      "delete from t where a = 'x'",
      "update t set b = 1 where a = 'x'",
      "insert into t select * from u where a = 'x'",
      "create table x (a int)",
      "select * from where",
  })
  void otherTextsHaveNoShape(String sql) {
    assertNull(shape(sql), sql);
  }

  @Test
  void aTabBeforeALiteralNeverMisplacesAMarker() {
    QueryShape s = shape("select *\tfrom t where\ta = 'x' and\t\tb = 7");
    if (s != null) {
      assertEquals("select *\tfrom t where\ta = ? and\t\tb = ?", s.text());
      assertEquals(List.of("x", 7L), s.values());
    }
  }
}
