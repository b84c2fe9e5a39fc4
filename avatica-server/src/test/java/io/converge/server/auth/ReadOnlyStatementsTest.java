package io.converge.server.auth;

import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class ReadOnlyStatementsTest {
  @Test
  void queriesAreAllowed() {
    for (String sql : new String[] {
        "select 1",
        "select status, count(*) from orders group by status order by 2 desc",
        "values (1, 'a')",
        "with t as (select * from orders) select count(*) from t",
        "select a from x union all select a from y",
        "select * from \"../odd name\" where \"_id\" = 'delete from orders'",
        "explain plan for select * from orders",
        "describe table orders", "alter session set fence = '{}'", "set readWaitMs = 10",
        "reset fence"}) {
      assertNull(ReadOnlyStatements.refusal(sql), sql);
    }
  }

  @Test
  void everythingElseIsRefusedWithItsKind() {
    String[][] cases = {
        {"insert into orders (\"_id\") values ('x')", "not INSERT"},
        {"upsert into orders (\"_id\") values ('x')", "not INSERT"},
        {"update orders set a = 1", "not UPDATE"},
        {"delete from orders", "not DELETE"},
        {"merge into t using s on t.a = s.a when matched then update set b = 1", "not MERGE"},
        {"explain plan for delete from orders", "not EXPLAIN of DELETE"},
        {"alter system set x = 1", "not SET OPTION"},
        {"create table t (a int)", "not CREATE TABLE"},
        {"drop table orders", "not DROP TABLE"},
        {"create index i on orders (status)", "not CREATE INDEX"},
        {"drop index i", "not DROP INDEX"},
        {"select 1; delete from orders", "does not parse"},
        {"", "does not parse"},
        {"not sql at all", "does not parse"}};
    for (String[] c : cases) {
      String refusal = ReadOnlyStatements.refusal(c[0]);
      assertNotNull(refusal, c[0]);
      assertTrue(refusal.contains(c[1]), c[0] + " -> " + refusal);
    }
  }
}
