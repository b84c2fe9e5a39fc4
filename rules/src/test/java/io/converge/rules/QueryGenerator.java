package io.converge.rules;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Random SQL over {@link TestCollection}: filters of every kind the rules translate (and some they
 * must leave to Calcite: expressions, mixed-type columns, parameters under NOT), timestamp
 * predicates, {@code ARRAY_CONTAINS}, row queries, counts, aggregates with and without GROUP BY,
 * {@code _id} lookups, {@code LIMIT}, {@code ORDER BY ... LIMIT [OFFSET]} (with {@code _id} as the
 * last key, or selecting only the keys, so that every correct answer is the same), and queries
 * with dynamic parameters.
 */
public final class QueryGenerator {
  /**
   * A query.
   *
   * @param ordered whether its row order is significant
   * @param params values of its dynamic parameters (empty: a plain statement)
   * @param duckdb whether DuckDB runs the same SQL with the same meaning (no CARDINALITY, no AVG
   *     of integers, no LIMIT without ORDER BY, explicit NULLS in ORDER BY, no parameters)
   */
  public record Query(String sql, boolean ordered, List<Object> params, boolean duckdb) {
    Query(String sql, boolean ordered) {
      this(sql, ordered, List.of(), !sql.contains("CARDINALITY") && !sql.contains("AVG(n)")
          && !sql.contains("AVG(\"nested.b\")")
          && (!sql.contains("ORDER BY") || sql.contains("ORDER BY 1 ")));
    }
  }

  /** Columns an ORDER BY may use: sortable in storage, and two that are not (text, mixed). */
  private static final String[] SORT_COLUMNS = {"n", "x", "d", "cat", "status", "flag", "ts",
      "\"nested.a\"", "\"nested.b\"", "_event_time", "mixed", "_id"};

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

  public QueryGenerator(long seed) {
    this.r = new Random(seed);
  }

  /** The next query over {@code table}, a {@link TestCollection} of {@code rows} documents. */
  public Query next(String table, int rows) {
    this.table = table;
    this.rows = rows;
    return next();
  }

  Query next() {
    int shape = r.nextInt(125);
    if (shape >= 100) {
      return shape < 110 ? topN() : shape < 114 ? limit() : parameterized();
    }
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

  /**
   * {@code ORDER BY keys LIMIT n [OFFSET m]}: either {@code _id} ends the keys (a total order), or
   * only the keys are selected (ties are then equal rows); compared in order.
   */
  private Query topN() {
    List<String> keys = new ArrayList<>();
    boolean explicitNulls = true;
    int k = 1 + r.nextInt(2);
    for (int i = 0; i < k; i++) {
      String key = pick(SORT_COLUMNS);
      if (keys.stream().anyMatch(x -> x.startsWith(key + " ") || x.equals(key))) {
        continue;
      }
      String dir = r.nextBoolean() ? "" : " DESC";
      String nulls = switch (r.nextInt(3)) {
        case 0 -> " NULLS FIRST";
        case 1 -> " NULLS LAST";
        default -> "";
      };
      explicitNulls &= !nulls.isEmpty() || key.equals("_id") || key.equals("_event_time");
      keys.add(key + dir + nulls);
    }
    String where = r.nextInt(3) == 0 ? "" : " WHERE " + predicate(1);
    String limit = " LIMIT " + (1 + r.nextInt(r.nextBoolean() ? 5 : 40))
        + (r.nextInt(4) == 0 ? " OFFSET " + r.nextInt(10) : "");
    String select;
    if (r.nextInt(3) == 0) {
      // only the keys: rows tied on every key are equal, so any correct top-N prints the same
      List<String> cols = new ArrayList<>();
      for (String key : keys) {
        cols.add(key.split(" ")[0]);
      }
      select = String.join(", ", cols);
    } else {
      select = "_id, n, " + column();
      if (keys.stream().noneMatch(x -> x.startsWith("_id"))) {
        keys.add(r.nextBoolean() ? "_id" : "_id DESC");
      }
    }
    String sql = "SELECT " + select + " FROM " + table + where + " ORDER BY "
        + String.join(", ", keys) + limit;
    boolean duck = explicitNulls && !sql.contains("CARDINALITY") && !sql.contains("AVG(");
    return new Query(sql, true, List.of(), duck);
  }

  /**
   * {@code LIMIT n} without ORDER BY: compared as a multiset, because with push-down on and off
   * both read rows in rid order (the first rows of the scan, or of the selected rids).
   */
  private Query limit() {
    String where = r.nextInt(3) == 0 ? "" : " WHERE " + predicate(1);
    return new Query("SELECT _id, " + column() + " FROM " + table + where + " LIMIT "
        + (1 + r.nextInt(50)), false, List.of(), false);
  }

  /** Conjuncts with {@code ?}, bound to values of several Java types (some not exact). */
  private Query parameterized() {
    List<String> conds = new ArrayList<>();
    List<Object> params = new ArrayList<>();
    int k = 1 + r.nextInt(2);
    for (int i = 0; i < k; i++) {
      switch (r.nextInt(9)) {
      case 0 -> {
        conds.add("cat = ?");
        params.add(r.nextInt(8) == 0 ? "needle" : TestCollection.CATS[r.nextInt(10)]);
      }
      case 1 -> {
        conds.add(pick(new String[] {"n >= ?", "n < ?", "n = ?", "n <> ?"}));
        int v = r.nextInt(110) - 55;
        params.add(switch (r.nextInt(4)) {
          case 0 -> (long) v;
          case 1 -> v;
          case 2 -> new java.math.BigDecimal(v);
          default -> new java.math.BigDecimal(v + ".5");
        });
      }
      case 2 -> {
        conds.add(pick(new String[] {"x > ?", "x <= ?", "d = ?", "d BETWEEN ? AND ?"}));
        params.add((r.nextInt(160) - 80) / 4.0);
        if (conds.get(conds.size() - 1).contains("BETWEEN")) {
          params.add((r.nextInt(400) + 1) / 4.0);
        }
      }
      case 3 -> {
        conds.add("n IN (?, ?)");
        params.add((long) (r.nextInt(110) - 55));
        params.add(r.nextInt(110) - 55);
      }
      case 4 -> {
        conds.add(pick(new String[] {"ts > ?", "ts <= ?", "ts = ?"}));
        params.add(java.sql.Timestamp.valueOf(String.format("2026-01-%02d %02d:%02d:00.%03d",
            1 + r.nextInt(28), r.nextInt(24), r.nextInt(60), r.nextInt(1000))));
      }
      case 5 -> {
        conds.add("flag = ?");
        params.add(r.nextBoolean());
      }
      case 6 -> {
        conds.add("NOT (status = ? AND n > 0)");
        params.add(r.nextBoolean() ? "a" : "b");
      }
      case 7 -> {
        conds.add("\"nested.a\" = ?");
        params.add("v" + r.nextInt(22));
      }
      default -> {
        conds.add(predicate(1));
      }
      }
    }
    if (r.nextInt(5) == 0) {
      conds.add("cat = ?");
      params.add(null);
    }
    String sql = "SELECT _id, n, " + column() + " FROM " + table + " WHERE "
        + String.join(" AND ", conds);
    return new Query(sql, false, params, false);
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

  /** A TIMESTAMP literal near the data's (January 2026), at times one of its values. */
  private String timestamp() {
    return switch (r.nextInt(4)) {
      case 0 -> "TIMESTAMP '2026-01-" + String.format("%02d", 1 + r.nextInt(28)) + " 00:00:00'";
      case 1 -> String.format("TIMESTAMP '2026-01-%02d %02d:%02d:00.%03d'", 1 + r.nextInt(28),
          r.nextInt(24), r.nextInt(60), r.nextInt(1000));
      case 2 -> "TIMESTAMP '2025-12-31 23:59:59.999'";
      default -> String.format("TIMESTAMP '2026-01-%02d %02d:00:00'", 1 + r.nextInt(28),
          r.nextInt(24));
    };
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
      String[] forms = {"ts > %s", "ts IS NULL", "ts <= %s", "ts = %s", "ts <> %s", "ts < %s",
          "ts >= %s", "ts BETWEEN %s AND %s", "ts IN (%s, %s)", "ts NOT IN (%s)",
          "ts IS NOT NULL", "_event_time > %s", "_event_time = TIMESTAMP '2026-01-01 00:00:00'",
          "_event_time <> TIMESTAMP '2026-01-01 00:00:00'", "_event_time <= %s",
          "ARRAY_CONTAINS(tags, 't%d')", "NOT ARRAY_CONTAINS(tags, 't%d')",
          "ARRAY_CONTAINS(tags, 't%d')"};
      String form = pick(forms);
      if (form.contains("%d")) {
        return String.format(form, r.nextInt(8));
      }
      return String.format(form, timestamp(), timestamp());
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
