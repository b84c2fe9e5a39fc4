package io.converge.rules;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Random SQL over {@link TestCollection}: filters of every kind the rules translate (and some they
 * must leave to Calcite), row queries, counts, aggregates with and without GROUP BY, {@code _id}
 * lookups and ORDER BY ... LIMIT.
 */
final class QueryGenerator {
  /** A query and whether its row order is significant. */
  record Query(String sql, boolean ordered) {}

  private static final String[] COLUMNS = {"_id", "_event_time", "cat", "status", "n", "x", "d",
      "flag", "mixed", "tags", "\"nested.a\"", "\"nested.b\"", "ts"};
  private static final String[] GROUP_COLUMNS = {"cat", "status", "n", "flag", "\"nested.a\"",
      "\"nested.b\"", "mixed", "x", "d", "_id"};
  private static final String[] AGGREGATES = {"COUNT(*)", "COUNT(n)", "COUNT(cat)",
      "COUNT(tags)", "COUNT(mixed)", "COUNT(DISTINCT cat)", "COUNT(DISTINCT n)",
      "COUNT(DISTINCT x)", "SUM(n)", "SUM(x)", "SUM(d)", "SUM(\"nested.b\")", "MIN(n)", "MAX(n)",
      "MIN(x)", "MAX(x)", "MIN(d)", "MAX(d)", "MIN(cat)", "MAX(cat)", "MIN(ts)", "MAX(ts)",
      "AVG(n)", "AVG(x)", "AVG(d)", "MIN(_id)", "MAX(_event_time)", "MIN(mixed)",
      "COUNT(DISTINCT \"nested.a\")", "SUM(n) + 1"};

  private final Random r;
  private String table = "t";
  private int rows = TestCollection.ROWS;

  QueryGenerator(long seed) {
    this.r = new Random(seed);
  }

  /** The next query over {@code table}, a {@link TestCollection} of {@code rows} documents. */
  Query next(String table, int rows) {
    this.table = table;
    this.rows = rows;
    return next();
  }

  Query next() {
    int shape = r.nextInt(100);
    if (shape < 28) {
      return new Query("SELECT _id, " + column() + ", " + column() + " FROM " + table + " WHERE "
          + predicate(3), false);
    } else if (shape < 38) {
      return new Query("SELECT COUNT(*) FROM " + table + " WHERE " + predicate(3), false);
    } else if (shape < 63) {
      List<String> groups = new ArrayList<>();
      groups.add(pick(GROUP_COLUMNS));
      if (r.nextInt(3) == 0) {
        String g = pick(GROUP_COLUMNS);
        if (!groups.contains(g)) {
          groups.add(g);
        }
      }
      String keys = String.join(", ", groups);
      return new Query("SELECT " + keys + ", " + aggregates() + " FROM " + table + ""
          + (r.nextInt(3) == 0 ? "" : " WHERE " + predicate(2)) + " GROUP BY " + keys, false);
    } else if (shape < 73) {
      return new Query("SELECT " + aggregates() + " FROM " + table + ""
          + (r.nextInt(4) == 0 ? "" : " WHERE " + predicate(2)), false);
    } else if (shape < 88) {
      StringBuilder ids = new StringBuilder();
      int k = 1 + r.nextInt(r.nextBoolean() ? 1 : 6);
      for (int i = 0; i < k; i++) {
        if (i > 0) {
          ids.append(", ");
        }
        ids.append(r.nextInt(20) == 0 ? "'nope'" : "'d" + r.nextInt(rows + rows / 100) + "'");
      }
      String cond = k == 1 && r.nextBoolean() ? "_id = " + ids : "_id IN (" + ids + ")";
      if (r.nextInt(3) == 0) {
        cond = cond + " AND " + predicate(1);
      }
      if (r.nextInt(5) == 0) {
        return new Query("SELECT COUNT(*), SUM(n), MAX(cat) FROM " + table + " WHERE " + cond, false);
      }
      return new Query("SELECT _id, n, cat, " + column() + " FROM " + table + " WHERE " + cond, false);
    } else {
      return new Query("SELECT _id, n, " + column() + " FROM " + table + " WHERE " + predicate(2)
          + " ORDER BY 1 LIMIT " + (1 + r.nextInt(30)), true);
    }
  }

  private String aggregates() {
    int k = 1 + r.nextInt(4);
    List<String> out = new ArrayList<>();
    for (int i = 0; i < k; i++) {
      out.add(pick(AGGREGATES));
    }
    return String.join(", ", out);
  }

  private String column() {
    return pick(COLUMNS);
  }

  private String pick(String[] a) {
    return a[r.nextInt(a.length)];
  }

  String predicate(int depth) {
    if (depth > 0 && r.nextInt(3) == 0) {
      return switch (r.nextInt(3)) {
        case 0 -> "(" + predicate(depth - 1) + " AND " + predicate(depth - 1) + ")";
        case 1 -> "(" + predicate(depth - 1) + " OR " + predicate(depth - 1)
            + (r.nextBoolean() ? "" : " OR " + predicate(depth - 1)) + ")";
        default -> "NOT (" + predicate(depth - 1) + ")";
      };
    }
    return atom();
  }

  private String cat() {
    int k = r.nextInt(13);
    return k < 10 ? "'" + TestCollection.CATS[k] + "'" : k == 10 ? "'needle'" : k == 11 ? "'zz'" : "'c'";
  }

  private String num(boolean fractions) {
    if (fractions && r.nextBoolean()) {
      return Double.toString((r.nextInt(160) - 80) / 4.0);
    }
    return Integer.toString(r.nextInt(110) - 55);
  }

  private String atom() {
    switch (r.nextInt(12)) {
    case 0: case 1: {
      String[] forms = {"cat = %s", "cat <> %s", "cat < %s", "cat >= %s", "cat IN (%s, %s, %s)",
          "cat NOT IN (%s, %s)", "cat LIKE 'c%%'", "cat LIKE 'ne%%'", "cat LIKE 'c1%%'",
          "cat NOT LIKE 'c%%'", "cat BETWEEN %s AND %s", "cat IS NULL", "cat IS NOT NULL",
          "cat LIKE '%%1'", "cat = %s", "cat > %s", "cat <= %s", "UPPER(cat) = 'C1'"};
      return String.format(pick(forms), cat(), cat(), cat());
    }
    case 2:
      return r.nextBoolean() ? "status = 'a'" : "status <> 'b'";
    case 3: case 4: {
      String[] forms = {"n = %s", "n <> %s", "n < %s", "n <= %s", "n > %s", "n >= %s",
          "n BETWEEN %s AND %s", "n NOT BETWEEN %s AND %s", "n IN (%s, %s, %s)",
          "n NOT IN (%s, %s)", "n IS NULL", "n IS NOT NULL", "n + 1 > %s", "n > 2.5",
          "n = %s"};
      return String.format(pick(forms), num(false), num(false), num(false));
    }
    case 5: case 6: {
      String col = r.nextBoolean() ? "x" : "d";
      String[] forms = {"%1$s = %2$s", "%1$s <> %2$s", "%1$s < %2$s", "%1$s <= %2$s",
          "%1$s > %2$s", "%1$s >= %2$s", "%1$s BETWEEN %2$s AND %3$s", "%1$s IN (%2$s, %3$s)",
          "%1$s NOT IN (%2$s, %3$s)", "%1$s IS NULL", "%1$s IS NOT NULL", "%1$s * 2 > %2$s"};
      return String.format(pick(forms), col, num(true), num(true));
    }
    case 7: {
      String[] forms = {"flag", "NOT flag", "flag = true", "flag = false", "flag IS TRUE",
          "flag IS NOT TRUE", "flag IS FALSE", "flag IS NOT FALSE", "flag IS NULL",
          "flag IS NOT NULL", "flag <> true"};
      return pick(forms);
    }
    case 8: {
      String[] forms = {"mixed = '42'", "mixed IS NULL", "mixed IS NOT NULL", "mixed > 'm2'",
          "mixed = 'true'", "tags IS NULL", "tags IS NOT NULL", "CARDINALITY(tags) >= 2"};
      return pick(forms);
    }
    case 9: {
      String[] forms = {"\"nested.a\" = 'v%d'", "\"nested.a\" LIKE 'v1%%'",
          "\"nested.a\" IS NULL", "\"nested.b\" > %d", "\"nested.b\" IN (%d, 2)",
          "\"nested.b\" IS NOT NULL", "\"nested.b\" <= %d"};
      return String.format(pick(forms), r.nextInt(22));
    }
    case 10: {
      String[] forms = {"ts > TIMESTAMP '2026-01-15 00:00:00'", "ts IS NULL",
          "ts <= TIMESTAMP '2026-01-03 12:30:00.250'", "_event_time > TIMESTAMP '2025-01-01 00:00:00'"};
      return pick(forms);
    }
    default: {
      int k = r.nextInt(rows + rows / 100);
      String[] forms = {"_id = 'd%d'", "_id IN ('d%d', 'd1', 'd77')", "_id > 'd%d'",
          "_id <> 'd%d'", "_id LIKE 'd1%%'"};
      return String.format(pick(forms), k);
    }
    }
  }
}
