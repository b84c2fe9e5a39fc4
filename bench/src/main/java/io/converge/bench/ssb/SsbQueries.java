package io.converge.bench.ssb;

import java.util.List;

/**
 * The 13 SSB queries (flights 1-4 of the specification), each in two forms built from one
 * select list, filter and grouping so that they cannot drift apart:
 *
 * <ul>
 *   <li><b>flat</b>: on {@code lineorder_flat}, as ClickHouse and Rockset ran SSB (the order
 *       date's year, month number, month name and week are columns there);
 *   <li><b>star</b>: the specification's form, {@code lineorder} joined with the dimensions it
 *       filters or groups on, keys equated in the {@code WHERE} clause.
 * </ul>
 *
 * <p>Plain SQL every engine here accepts: no date functions, no dialect.
 */
public final class SsbQueries {
  private SsbQueries() {}

  /** One query: its id ({@code Q1.1}), both forms. */
  public record Query(String id, String flat, String star) {
    public String sql(Form form) {
      return form == Form.FLAT ? flat : star;
    }
  }

  public enum Form { FLAT, STAR }

  private static final String DATE = "lo_orderdate = d_datekey";
  private static final String CUSTOMER = "lo_custkey = c_custkey";
  private static final String SUPPLIER = "lo_suppkey = s_suppkey";
  private static final String PART = "lo_partkey = p_partkey";

  private static final String SUM_1 = "select sum(lo_extendedprice * lo_discount) as revenue";
  private static final String SELECT_2 = "select sum(lo_revenue) as revenue, d_year, p_brand1";
  private static final String TAIL_2 = "group by d_year, p_brand1 order by d_year, p_brand1";
  private static final String CITIES = "(c_city = 'UNITED KI1' or c_city = 'UNITED KI5')"
      + " and (s_city = 'UNITED KI1' or s_city = 'UNITED KI5')";
  private static final String PROFIT = "sum(lo_revenue - lo_supplycost) as profit";

  public static final List<Query> ALL = List.of(
      query("Q1.1", SUM_1, "d_year = 1993 and lo_discount between 1 and 3 and lo_quantity < 25",
          "", "dwdate"),
      query("Q1.2", SUM_1, "d_yearmonthnum = 199401 and lo_discount between 4 and 6"
          + " and lo_quantity between 26 and 35", "", "dwdate"),
      query("Q1.3", SUM_1, "d_weeknuminyear = 6 and d_year = 1994"
          + " and lo_discount between 5 and 7 and lo_quantity between 26 and 35", "", "dwdate"),
      query("Q2.1", SELECT_2, "p_category = 'MFGR#12' and s_region = 'AMERICA'", TAIL_2,
          "dwdate", "part", "supplier"),
      query("Q2.2", SELECT_2, "p_brand1 between 'MFGR#2221' and 'MFGR#2228'"
          + " and s_region = 'ASIA'", TAIL_2, "dwdate", "part", "supplier"),
      query("Q2.3", SELECT_2, "p_brand1 = 'MFGR#2239' and s_region = 'EUROPE'", TAIL_2,
          "dwdate", "part", "supplier"),
      query("Q3.1", "select c_nation, s_nation, d_year, sum(lo_revenue) as revenue",
          "c_region = 'ASIA' and s_region = 'ASIA' and d_year >= 1992 and d_year <= 1997",
          "group by c_nation, s_nation, d_year order by d_year asc, revenue desc",
          "customer", "supplier", "dwdate"),
      query("Q3.2", "select c_city, s_city, d_year, sum(lo_revenue) as revenue",
          "c_nation = 'UNITED STATES' and s_nation = 'UNITED STATES'"
              + " and d_year >= 1992 and d_year <= 1997",
          "group by c_city, s_city, d_year order by d_year asc, revenue desc",
          "customer", "supplier", "dwdate"),
      query("Q3.3", "select c_city, s_city, d_year, sum(lo_revenue) as revenue",
          CITIES + " and d_year >= 1992 and d_year <= 1997",
          "group by c_city, s_city, d_year order by d_year asc, revenue desc",
          "customer", "supplier", "dwdate"),
      query("Q3.4", "select c_city, s_city, d_year, sum(lo_revenue) as revenue",
          CITIES + " and d_yearmonth = 'Dec1997'",
          "group by c_city, s_city, d_year order by d_year asc, revenue desc",
          "customer", "supplier", "dwdate"),
      query("Q4.1", "select d_year, c_nation, " + PROFIT,
          "c_region = 'AMERICA' and s_region = 'AMERICA'"
              + " and (p_mfgr = 'MFGR#1' or p_mfgr = 'MFGR#2')",
          "group by d_year, c_nation order by d_year, c_nation",
          "dwdate", "customer", "supplier", "part"),
      query("Q4.2", "select d_year, s_nation, p_category, " + PROFIT,
          "c_region = 'AMERICA' and s_region = 'AMERICA' and (d_year = 1997 or d_year = 1998)"
              + " and (p_mfgr = 'MFGR#1' or p_mfgr = 'MFGR#2')",
          "group by d_year, s_nation, p_category order by d_year, s_nation, p_category",
          "dwdate", "customer", "supplier", "part"),
      query("Q4.3", "select d_year, s_city, p_brand1, " + PROFIT,
          "s_nation = 'UNITED STATES' and (d_year = 1997 or d_year = 1998)"
              + " and p_category = 'MFGR#14'",
          "group by d_year, s_city, p_brand1 order by d_year, s_city, p_brand1",
          "dwdate", "customer", "supplier", "part"));

  public static Query byId(String id) {
    return ALL.stream().filter(q -> q.id().equals(id)).findFirst()
        .orElseThrow(() -> new IllegalArgumentException("no SSB query " + id));
  }

  private static Query query(String id, String select, String where, String tail,
      String... dimensions) {
    String flat = select + " from lineorder_flat where " + where + suffix(tail);
    StringBuilder from = new StringBuilder("lineorder");
    StringBuilder joins = new StringBuilder();
    for (String d : dimensions) {
      from.append(", ").append(d);
      joins.append(switch (d) {
        case "dwdate" -> DATE;
        case "customer" -> CUSTOMER;
        case "supplier" -> SUPPLIER;
        case "part" -> PART;
        default -> throw new IllegalArgumentException(d);
      }).append(" and ");
    }
    String star = select + " from " + from + " where " + joins + where + suffix(tail);
    return new Query(id, flat, star);
  }

  private static String suffix(String tail) {
    return tail.isEmpty() ? "" : " " + tail;
  }
}
