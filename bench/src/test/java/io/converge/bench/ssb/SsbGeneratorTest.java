package io.converge.bench.ssb;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The SSB generator against the specification's cardinalities and value domains. */
class SsbGeneratorTest {
  static final double SF = 0.01;
  static SsbGenerator generator;
  static Map<SsbTable, List<Object[]>> tables = new HashMap<>();

  @BeforeAll
  static void generate() throws IOException {
    generator = new SsbGenerator(SF, 42);
    for (SsbTable t : SsbTable.ALL) {
      tables.put(t, rows(generator, t));
    }
  }

  static List<Object[]> rows(SsbGenerator g, SsbTable t) throws IOException {
    List<Object[]> rows = new ArrayList<>();
    g.generate(t, rows::add);
    return rows;
  }

  static Object get(SsbTable t, Object[] row, String column) {
    return row[t.indexOf(column)];
  }

  static int intOf(SsbTable t, Object[] row, String column) {
    return ((Number) get(t, row, column)).intValue();
  }

  @Test
  void cardinalitiesFollowTheScaleFactor() {
    assertEquals(300, tables.get(SsbTable.CUSTOMER).size());
    assertEquals(20, tables.get(SsbTable.SUPPLIER).size());
    assertEquals(2_000, tables.get(SsbTable.PART).size());
    assertEquals(2_556, tables.get(SsbTable.DWDATE).size());
    assertEquals(15_000, generator.orders());
    int lines = tables.get(SsbTable.LINEORDER).size();
    // 1-7 lines per order, uniform: 4 on average, so about SF x 6,000,000 rows.
    assertTrue(Math.abs(lines - 60_000) < 60_000 * 0.02, "line orders: " + lines);
    assertEquals(lines, tables.get(SsbTable.LINEORDER_FLAT).size());
    Set<Long> orders = new HashSet<>();
    for (Object[] r : tables.get(SsbTable.LINEORDER)) {
      orders.add((Long) r[0]);
    }
    assertEquals(15_000, orders.size());

    SsbGenerator one = new SsbGenerator(1, 1);
    assertEquals(30_000, one.customers());
    assertEquals(2_000, one.suppliers());
    assertEquals(200_000, one.parts());
    assertEquals(1_500_000, one.orders());
    // Part grows with the logarithm of the scale factor from SF 1 on.
    assertEquals(400_000, new SsbGenerator(2, 1).parts());
    assertEquals(600_000, new SsbGenerator(4, 1).parts());
    assertEquals(300_000, new SsbGenerator(10, 1).customers());
    assertThrows(IllegalArgumentException.class, () -> new SsbGenerator(0, 1));
  }

  @Test
  void customersAndSuppliersHaveCitiesOfTheirNation() {
    for (SsbTable t : List.of(SsbTable.CUSTOMER, SsbTable.SUPPLIER)) {
      String p = t == SsbTable.CUSTOMER ? "c_" : "s_";
      int key = 0;
      for (Object[] r : tables.get(t)) {
        assertEquals(++key, intOf(t, r, p + (t == SsbTable.CUSTOMER ? "custkey" : "suppkey")));
        String nation = (String) get(t, r, p + "nation");
        int n = SsbDomains.NATIONS.indexOf(nation);
        assertTrue(n >= 0, nation);
        assertEquals(SsbDomains.region(n), get(t, r, p + "region"));
        String city = (String) get(t, r, p + "city");
        assertEquals(10, city.length(), city);
        String prefix = nation.length() >= 9 ? nation.substring(0, 9)
            : String.format("%-9s", nation);
        assertEquals(prefix, city.substring(0, 9));
        assertTrue(Character.isDigit(city.charAt(9)), city);
        assertTrue(((String) get(t, r, p + "phone")).startsWith((n + 10) + "-"));
      }
    }
    assertEquals("UNITED KI1", SsbDomains.city(SsbDomains.NATIONS.indexOf("UNITED KINGDOM"), 1));
    assertEquals("PERU     5", SsbDomains.city(SsbDomains.NATIONS.indexOf("PERU"), 5));
    assertEquals(25, SsbDomains.NATIONS.size());
    assertEquals(92, SsbDomains.COLORS.size());
    Set<Object> segments = new HashSet<>();
    for (Object[] r : tables.get(SsbTable.CUSTOMER)) {
      segments.add(get(SsbTable.CUSTOMER, r, "c_mktsegment"));
    }
    assertEquals(new HashSet<>(SsbDomains.SEGMENTS), segments);
  }

  @Test
  void partsHaveManufacturerCategoryAndBrandHierarchy() {
    SsbTable t = SsbTable.PART;
    Set<String> categories = new HashSet<>();
    Set<String> brands = new HashSet<>();
    for (Object[] r : tables.get(t)) {
      String mfgr = (String) get(t, r, "p_mfgr");
      String category = (String) get(t, r, "p_category");
      String brand = (String) get(t, r, "p_brand1");
      assertTrue(mfgr.matches("MFGR#[1-5]"), mfgr);
      assertTrue(category.matches("MFGR#[1-5][1-5]") && category.startsWith(mfgr), category);
      assertTrue(brand.startsWith(category) && brand.length() == 9, brand);
      int b = Integer.parseInt(brand.substring(7));
      assertTrue(b >= 1 && b <= 40, brand);
      int size = intOf(t, r, "p_size");
      assertTrue(size >= 1 && size <= 50);
      assertTrue(SsbDomains.COLORS.contains((String) get(t, r, "p_color")));
      assertEquals(2, ((String) get(t, r, "p_name")).split(" ").length);
      assertEquals(3, ((String) get(t, r, "p_type")).split(" ").length);
      categories.add(category);
      brands.add(brand);
    }
    assertEquals(25, categories.size());
    assertTrue(brands.size() > 800 && brands.size() <= 1000, "brands: " + brands.size());
  }

  @Test
  void dateTableCoversSevenYearsWithEveryColumn() {
    SsbTable t = SsbTable.DWDATE;
    List<Object[]> rows = tables.get(t);
    assertEquals(19920101, intOf(t, rows.get(0), "d_datekey"));
    assertEquals(19981230, intOf(t, rows.get(rows.size() - 1), "d_datekey"));
    Object[] first = rows.get(0);
    assertEquals("January 1, 1992", get(t, first, "d_date"));
    assertEquals("Wednesday", get(t, first, "d_dayofweek"));
    assertEquals(4, intOf(t, first, "d_daynuminweek")); // Sunday is 1
    assertEquals("Jan1992", get(t, first, "d_yearmonth"));
    assertEquals(1, intOf(t, first, "d_holidayfl"));
    // Q1.3 asks for week 6 of 1994: February 5-11.
    assertEquals(6, SsbGenerator.dateRow(LocalDate.of(1994, 2, 7))[SsbTable.DWDATE.indexOf(
        "d_weeknuminyear")]);
    Set<Integer> keys = new HashSet<>();
    Set<Integer> years = new HashSet<>();
    for (Object[] r : rows) {
      keys.add(intOf(t, r, "d_datekey"));
      int year = intOf(t, r, "d_year");
      int month = intOf(t, r, "d_monthnuminyear");
      years.add(year);
      assertEquals(year * 100 + month, intOf(t, r, "d_yearmonthnum"));
      assertEquals(intOf(t, r, "d_datekey") / 100, intOf(t, r, "d_yearmonthnum"));
      assertTrue(((String) get(t, r, "d_yearmonth")).endsWith(String.valueOf(year)));
      int week = intOf(t, r, "d_weeknuminyear");
      assertEquals((intOf(t, r, "d_daynuminyear") - 1) / 7 + 1, week);
      assertTrue(week >= 1 && week <= 53);
    }
    assertEquals(2_556, keys.size());
    assertEquals(Set.of(1992, 1993, 1994, 1995, 1996, 1997, 1998), years);
  }

  @Test
  void lineOrdersFollowTheSpecificationsRules() {
    SsbTable t = SsbTable.LINEORDER;
    Set<Integer> dateKeys = new HashSet<>();
    for (Object[] r : tables.get(SsbTable.DWDATE)) {
      dateKeys.add((Integer) r[0]);
    }
    long order = 0;
    int expectedLine = 0;
    int total = -1;
    Set<Integer> discounts = new HashSet<>();
    Set<Integer> quantities = new HashSet<>();
    for (Object[] r : tables.get(t)) {
      long key = (Long) get(t, r, "lo_orderkey");
      int line = intOf(t, r, "lo_linenumber");
      if (key != order) {
        assertEquals(order + 1, key);
        order = key;
        expectedLine = 1;
        total = intOf(t, r, "lo_ordtotalprice");
      } else {
        expectedLine++;
        assertEquals(total, intOf(t, r, "lo_ordtotalprice"), "one total per order");
      }
      assertEquals(expectedLine, line);
      assertTrue(line <= 7);
      int partkey = intOf(t, r, "lo_partkey");
      int quantity = intOf(t, r, "lo_quantity");
      int discount = intOf(t, r, "lo_discount");
      int tax = intOf(t, r, "lo_tax");
      int price = 90_000 + (partkey / 10) % 20_001 + 100 * (partkey % 1000);
      assertTrue(partkey >= 1 && partkey <= generator.parts());
      int custkey = intOf(t, r, "lo_custkey");
      assertTrue(custkey >= 1 && custkey <= generator.customers() && custkey % 3 != 0);
      int suppkey = intOf(t, r, "lo_suppkey");
      assertTrue(suppkey >= 1 && suppkey <= generator.suppliers());
      assertTrue(quantity >= 1 && quantity <= 50);
      assertTrue(discount >= 0 && discount <= 10);
      assertTrue(tax >= 0 && tax <= 8);
      assertEquals(quantity * price, intOf(t, r, "lo_extendedprice"));
      assertEquals(quantity * price * (100 - discount) / 100, intOf(t, r, "lo_revenue"));
      assertEquals(6 * price / 10, intOf(t, r, "lo_supplycost"));
      int orderdate = intOf(t, r, "lo_orderdate");
      assertTrue(dateKeys.contains(orderdate) && orderdate <= 19980802, "" + orderdate);
      int commit = intOf(t, r, "lo_commitdate");
      assertTrue(dateKeys.contains(commit) && commit > orderdate);
      assertTrue(SsbDomains.PRIORITIES.contains((String) get(t, r, "lo_orderpriority")));
      assertTrue(SsbDomains.SHIP_MODES.contains((String) get(t, r, "lo_shipmode")));
      discounts.add(discount);
      quantities.add(quantity);
    }
    assertEquals(11, discounts.size());
    assertEquals(50, quantities.size());
  }

  @Test
  void flatRowsAreLineOrdersJoinedWithTheirDimensions() {
    List<Object[]> lines = tables.get(SsbTable.LINEORDER);
    List<Object[]> flat = tables.get(SsbTable.LINEORDER_FLAT);
    SsbTable f = SsbTable.LINEORDER_FLAT;
    Map<Integer, Object[]> dates = new HashMap<>();
    for (Object[] d : tables.get(SsbTable.DWDATE)) {
      dates.put((Integer) d[0], d);
    }
    for (int i = 0; i < lines.size(); i++) {
      Object[] lo = lines.get(i);
      Object[] row = flat.get(i);
      assertArrayEquals(lo, Arrays.copyOf(row, lo.length));
      Object[] c = tables.get(SsbTable.CUSTOMER).get((Integer) lo[2] - 1);
      Object[] s = tables.get(SsbTable.SUPPLIER).get((Integer) lo[4] - 1);
      Object[] p = tables.get(SsbTable.PART).get((Integer) lo[3] - 1);
      Object[] d = dates.get((Integer) lo[5]);
      for (SsbTable dim : List.of(SsbTable.CUSTOMER, SsbTable.SUPPLIER, SsbTable.PART)) {
        Object[] dimRow = dim == SsbTable.CUSTOMER ? c : dim == SsbTable.SUPPLIER ? s : p;
        for (int k = 1; k < dim.columns().size(); k++) {
          String col = dim.columns().get(k).name();
          assertEquals(dimRow[k], get(f, row, col), col);
        }
      }
      for (String col : SsbTable.FLAT_DATE) {
        assertEquals(d[SsbTable.DWDATE.indexOf(col)], get(f, row, col), col);
      }
    }
  }

  @Test
  void sameSeedSameRowsOtherSeedOtherRows() throws IOException {
    SsbGenerator again = new SsbGenerator(SF, 42);
    for (SsbTable t : List.of(SsbTable.CUSTOMER, SsbTable.PART, SsbTable.LINEORDER)) {
      List<Object[]> a = tables.get(t);
      List<Object[]> b = rows(again, t);
      assertEquals(a.size(), b.size());
      for (int i = 0; i < a.size(); i++) {
        assertArrayEquals(a.get(i), b.get(i), t.name() + " row " + i);
      }
    }
    List<Object[]> other = rows(new SsbGenerator(SF, 43), SsbTable.LINEORDER);
    List<Object[]> mine = tables.get(SsbTable.LINEORDER);
    int same = 0;
    for (int i = 0; i < Math.min(100, other.size()); i++) {
      same += Arrays.equals(mine.get(i), other.get(i)) ? 1 : 0;
    }
    assertTrue(same < 5, "seed 43 repeats seed 42's rows: " + same);
  }
}
