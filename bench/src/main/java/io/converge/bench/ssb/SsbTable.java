package io.converge.bench.ssb;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * One Star Schema Benchmark table: its name and columns, in the order the generator emits a row's
 * values. Names follow the SSB specification (O'Neil et al., rev 3) in lower case; the date table
 * is {@code dwdate} (as in Amazon's SSB tutorial) because {@code date} is a reserved word in every
 * engine compared here. {@code lineorder_flat} is ClickHouse's denormalized table plus the four
 * order-date columns the 13 queries filter and group on, so the flat queries need no date
 * functions and read the same on every engine.
 */
public record SsbTable(String name, List<Column> columns) {

  /** Column types; {@code INT} values are Java {@code Integer}, {@code BIGINT} are {@code Long}. */
  public enum Type { INT, BIGINT, TEXT }

  public record Column(String name, Type type) {}

  public static final SsbTable CUSTOMER = table("customer",
      "c_custkey INT", "c_name TEXT", "c_address TEXT", "c_city TEXT", "c_nation TEXT",
      "c_region TEXT", "c_phone TEXT", "c_mktsegment TEXT");

  public static final SsbTable SUPPLIER = table("supplier",
      "s_suppkey INT", "s_name TEXT", "s_address TEXT", "s_city TEXT", "s_nation TEXT",
      "s_region TEXT", "s_phone TEXT");

  public static final SsbTable PART = table("part",
      "p_partkey INT", "p_name TEXT", "p_mfgr TEXT", "p_category TEXT", "p_brand1 TEXT",
      "p_color TEXT", "p_type TEXT", "p_size INT", "p_container TEXT");

  public static final SsbTable DWDATE = table("dwdate",
      "d_datekey INT", "d_date TEXT", "d_dayofweek TEXT", "d_month TEXT", "d_year INT",
      "d_yearmonthnum INT", "d_yearmonth TEXT", "d_daynuminweek INT", "d_daynuminmonth INT",
      "d_daynuminyear INT", "d_monthnuminyear INT", "d_weeknuminyear INT",
      "d_sellingseason TEXT", "d_lastdayinweekfl INT", "d_lastdayinmonthfl INT",
      "d_holidayfl INT", "d_weekdayfl INT");

  public static final SsbTable LINEORDER = table("lineorder",
      "lo_orderkey BIGINT", "lo_linenumber INT", "lo_custkey INT", "lo_partkey INT",
      "lo_suppkey INT", "lo_orderdate INT", "lo_orderpriority TEXT", "lo_shippriority INT",
      "lo_quantity INT", "lo_extendedprice INT", "lo_ordtotalprice INT", "lo_discount INT",
      "lo_revenue INT", "lo_supplycost INT", "lo_tax INT", "lo_commitdate INT",
      "lo_shipmode TEXT");

  /** Customer, supplier and part columns copied into each flat row (all but the keys). */
  static final List<Column> FLAT_CUSTOMER = CUSTOMER.columns.subList(1, CUSTOMER.columns.size());
  static final List<Column> FLAT_SUPPLIER = SUPPLIER.columns.subList(1, SUPPLIER.columns.size());
  static final List<Column> FLAT_PART = PART.columns.subList(1, PART.columns.size());
  /** The order date's columns in each flat row. */
  static final List<String> FLAT_DATE =
      List.of("d_year", "d_yearmonthnum", "d_yearmonth", "d_weeknuminyear");

  public static final SsbTable LINEORDER_FLAT = flat();

  /** The normalized tables, dimensions first. */
  public static final List<SsbTable> STAR = List.of(DWDATE, CUSTOMER, SUPPLIER, PART, LINEORDER);

  /** Every table the generator writes. */
  public static final List<SsbTable> ALL =
      Stream.concat(STAR.stream(), Stream.of(LINEORDER_FLAT)).toList();

  public int indexOf(String column) {
    for (int i = 0; i < columns.size(); i++) {
      if (columns.get(i).name().equals(column)) {
        return i;
      }
    }
    throw new IllegalArgumentException(name + " has no column " + column);
  }

  private static SsbTable table(String name, String... columns) {
    List<Column> list = new ArrayList<>();
    for (String c : columns) {
      String[] parts = c.split(" ");
      list.add(new Column(parts[0], Type.valueOf(parts[1])));
    }
    return new SsbTable(name, List.copyOf(list));
  }

  private static SsbTable flat() {
    List<Column> list = new ArrayList<>(LINEORDER.columns);
    list.addAll(FLAT_CUSTOMER);
    list.addAll(FLAT_SUPPLIER);
    list.addAll(FLAT_PART);
    for (String d : FLAT_DATE) {
      list.add(DWDATE.columns.get(DWDATE.indexOf(d)));
    }
    return new SsbTable("lineorder_flat", List.copyOf(list));
  }
}
