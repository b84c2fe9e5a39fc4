package io.converge.rules;

import io.converge.adapter.ConvergeSchemaFactory;
import io.converge.storage.ConvergeStore;
import java.nio.file.Path;
import java.sql.Connection;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConvergeSmokeTest {
  @TempDir Path dir;

  @Test
  void smoke() throws Exception {
    ConvergeStore store = ConvergeSchemaFactory.store(dir);
    List<Map<String, Object>> docs = new ArrayList<>();
    for (int i = 0; i < 1000; i++) {
      Map<String, Object> d = new LinkedHashMap<>();
      d.put("_id", "d" + i);
      d.put("status", i % 100 == 0 ? "rare" : (i % 2 == 0 ? "a" : "b"));
      d.put("qty", (long) (i % 7));
      d.put("amount", i % 3 == 0 ? (Object) (i / 4.0) : (Object) (long) i);
      docs.add(d);
    }
    RulesTestSupport.upsert(store, "t", docs);
    try (Connection c = RulesTestSupport.connect(dir, true)) {
      for (String q : List.of("select _id, qty from t where status = 'rare'",
          "select _id, qty from t where status = 'a'",
          "select qty from t where _id in ('d1', 'd2')",
          "select status, count(*), sum(qty), avg(qty), min(amount), max(amount), sum(amount) from t group by status",
          "select count(*) from t",
          "select count(*) from t where status = 'rare' and qty > 2",
          "select * from t where status like 'ra%' or qty between 2 and 3")) {
        System.out.println(q + "\n" + RulesTestSupport.explain(c, q));
        try {
          System.out.println(RulesTestSupport.query(c, q).subList(0, Math.min(5, RulesTestSupport.query(c, q).size())));
        } catch (Exception e) {
          System.out.println("FAILED " + e);
        }
      }
    } finally {
      ConvergeSchemaFactory.release(dir);
    }
  }
}
