package io.converge.bench.ssb;

import java.io.IOException;
import java.time.DayOfWeek;
import java.time.LocalDate;
import java.time.format.TextStyle;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * Star Schema Benchmark data (O'Neil, O'Neil, Chen, Revilak: "Star Schema Benchmark", revision
 * 3, and SSB's variant of TPC-H dbgen), written for this project from the specification's
 * cardinalities and value rules:
 *
 * <ul>
 *   <li>customer: SF x 30,000; supplier: SF x 2,000; part: 200,000 x floor(1 + log2 SF) for
 *       SF >= 1 (200,000 at SF 1), and 200,000 x SF below 1 so that small test scales keep
 *       SF 1's ratio of line orders to parts;
 *   <li>dwdate: 2,556 days from 1992-01-01 (the specification's and dbgen's row count, so the
 *       last day is 1998-12-30), every date column;
 *   <li>lineorder: SF x 1,500,000 orders of 1-7 lines each (uniform), so about SF x 6,000,000
 *       rows; order dates uniform from 1992-01-01 to 1998-08-02 (TPC-H's last order date);
 *       customers whose key is a multiple of 3 place no orders (TPC-H's rule);
 *   <li>lineorder_flat: each line order joined with its customer, supplier, part and order date.
 * </ul>
 *
 * <p>Prices are integers in cents, as dbgen prints them without the decimal point: a part's
 * price is TPC-H's {@code 90000 + (key / 10) mod 20001 + 100 x (key mod 1000)}, {@code
 * lo_extendedprice = lo_quantity x price}, {@code lo_revenue = lo_extendedprice x (100 -
 * lo_discount) / 100}, {@code lo_supplycost = 6 x price / 10} (per unit) and {@code
 * lo_ordtotalprice} the order's sum of {@code extendedprice x (1 + tax) x (1 - discount)}.
 *
 * <p>Each table draws from its own random stream derived from the seed, so a table comes out the
 * same whether or not the others were generated, and {@code lineorder_flat} holds exactly the
 * rows of {@code lineorder}. Same scale factor and seed: the same rows, in the same order.
 */
public final class SsbGenerator {
  /** Receives each generated row; values as {@link SsbTable.Type} says. */
  public interface RowSink {
    void accept(Object[] row) throws IOException;
  }

  public static final LocalDate FIRST_DAY = LocalDate.of(1992, 1, 1);
  public static final int DAYS = 2556;
  /** Orders fall on the first this many days: 1992-01-01 to 1998-08-02. */
  static final int ORDER_DAYS = (int) (LocalDate.of(1998, 8, 2).toEpochDay()
      - FIRST_DAY.toEpochDay()) + 1;
  static final int MAX_LINES = 7;
  /** Customers with {@code key % 3 == 0} never order (TPC-H's CUST_MORTALITY). */
  static final int CUSTOMER_MORTALITY = 3;

  private static final char[] ALNUM =
      "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789".toCharArray();

  private final double scaleFactor;
  private final long seed;
  private final int customers;
  private final int suppliers;
  private final int parts;
  private final long orders;
  /** Generated on first use by the flat table; small (part: 200,000 rows at SF 1). */
  private Object[][] customerRows;
  private Object[][] supplierRows;
  private Object[][] partRows;
  private Object[][] dateRows;

  public SsbGenerator(double scaleFactor, long seed) {
    if (!(scaleFactor > 0) || scaleFactor > 1000) {
      throw new IllegalArgumentException("scale factor must be above 0 and at most 1000, not "
          + scaleFactor);
    }
    this.scaleFactor = scaleFactor;
    this.seed = seed;
    this.customers = scaled(30_000);
    this.suppliers = scaled(2_000);
    this.parts = scaleFactor >= 1
        ? 200_000 * (int) Math.floor(1 + Math.log(scaleFactor) / Math.log(2))
        : scaled(200_000);
    this.orders = Math.max(1, Math.round(scaleFactor * 1_500_000));
  }

  private int scaled(int atOne) {
    return (int) Math.max(1, Math.round(scaleFactor * atOne));
  }

  public double scaleFactor() {
    return scaleFactor;
  }

  public int customers() {
    return customers;
  }

  public int suppliers() {
    return suppliers;
  }

  public int parts() {
    return parts;
  }

  public long orders() {
    return orders;
  }

  /** Rows {@code table} will have; line orders: the expected count (4 lines per order). */
  public long expectedRows(SsbTable table) {
    return switch (table.name()) {
      case "customer" -> customers;
      case "supplier" -> suppliers;
      case "part" -> parts;
      case "dwdate" -> DAYS;
      default -> orders * (1 + MAX_LINES) / 2;
    };
  }

  /** Emits every row of {@code table}, in key order. */
  public void generate(SsbTable table, RowSink sink) throws IOException {
    switch (table.name()) {
      case "customer" -> emit(customerRows(), sink);
      case "supplier" -> emit(supplierRows(), sink);
      case "part" -> emit(partRows(), sink);
      case "dwdate" -> emit(dateRows(), sink);
      case "lineorder" -> lineorders(sink, false);
      case "lineorder_flat" -> lineorders(sink, true);
      default -> throw new IllegalArgumentException("not an SSB table: " + table.name());
    }
  }

  private static void emit(Object[][] rows, RowSink sink) throws IOException {
    for (Object[] row : rows) {
      sink.accept(row.clone());
    }
  }

  /**
   * The random stream of one table. The seed goes through a mixing function first: consecutive
   * raw seeds would give SplittableRandom streams that are shifts of one another.
   */
  private SplittableRandom random(int stream) {
    return new SplittableRandom(mix(mix(seed) + stream));
  }

  /** MurmurHash3's 64-bit finalizer. */
  private static long mix(long z) {
    z = (z ^ (z >>> 33)) * 0xFF51AFD7ED558CCDL;
    z = (z ^ (z >>> 33)) * 0xC4CEB9FE1A85EC53L;
    return z ^ (z >>> 33);
  }

  // ---------------------------------------------------------------------------------------------
  // Dimensions

  private synchronized Object[][] customerRows() {
    if (customerRows == null) {
      SplittableRandom r = random(1);
      Object[][] rows = new Object[customers][];
      for (int i = 0; i < customers; i++) {
        int key = i + 1;
        int nation = r.nextInt(SsbDomains.NATIONS.size());
        rows[i] = new Object[] {key, String.format(Locale.ROOT, "Customer#%09d", key),
            text(r, 10, 25), SsbDomains.city(nation, r.nextInt(10)),
            SsbDomains.NATIONS.get(nation), SsbDomains.region(nation), phone(r, nation),
            pick(r, SsbDomains.SEGMENTS)};
      }
      customerRows = rows;
    }
    return customerRows;
  }

  private synchronized Object[][] supplierRows() {
    if (supplierRows == null) {
      SplittableRandom r = random(2);
      Object[][] rows = new Object[suppliers][];
      for (int i = 0; i < suppliers; i++) {
        int key = i + 1;
        int nation = r.nextInt(SsbDomains.NATIONS.size());
        rows[i] = new Object[] {key, String.format(Locale.ROOT, "Supplier#%09d", key),
            text(r, 10, 25), SsbDomains.city(nation, r.nextInt(10)),
            SsbDomains.NATIONS.get(nation), SsbDomains.region(nation), phone(r, nation)};
      }
      supplierRows = rows;
    }
    return supplierRows;
  }

  private synchronized Object[][] partRows() {
    if (partRows == null) {
      SplittableRandom r = random(3);
      Object[][] rows = new Object[parts][];
      for (int i = 0; i < parts; i++) {
        int key = i + 1;
        String first = pick(r, SsbDomains.COLORS);
        String second;
        do {
          second = pick(r, SsbDomains.COLORS);
        } while (second.equals(first));
        int mfgr = 1 + r.nextInt(5);
        int category = 1 + r.nextInt(5);
        int brand = 1 + r.nextInt(40);
        rows[i] = new Object[] {key, first + " " + second, "MFGR#" + mfgr,
            "MFGR#" + mfgr + category,
            String.format(Locale.ROOT, "MFGR#%d%d%02d", mfgr, category, brand),
            pick(r, SsbDomains.COLORS),
            pick(r, SsbDomains.TYPE_SIZE) + " " + pick(r, SsbDomains.TYPE_FINISH) + " "
                + pick(r, SsbDomains.TYPE_METAL),
            1 + r.nextInt(50),
            pick(r, SsbDomains.CONTAINER_SIZE) + " " + pick(r, SsbDomains.CONTAINER_KIND)};
      }
      partRows = rows;
    }
    return partRows;
  }

  private synchronized Object[][] dateRows() {
    if (dateRows == null) {
      Object[][] rows = new Object[DAYS][];
      for (int i = 0; i < DAYS; i++) {
        rows[i] = dateRow(FIRST_DAY.plusDays(i));
      }
      dateRows = rows;
    }
    return dateRows;
  }

  /** One dwdate row; weeks of the year start on January 1st (day 1-7 is week 1). */
  static Object[] dateRow(LocalDate d) {
    int year = d.getYear();
    int month = d.getMonthValue();
    String monthName = d.getMonth().getDisplayName(TextStyle.FULL, Locale.ENGLISH);
    DayOfWeek dow = d.getDayOfWeek();
    int dayInWeek = dow.getValue() % 7 + 1; // Sunday 1 .. Saturday 7
    boolean lastInMonth = d.getDayOfMonth() == d.lengthOfMonth();
    boolean holiday = (month == 1 && d.getDayOfMonth() == 1)
        || (month == 7 && d.getDayOfMonth() == 4)
        || (month == 12 && d.getDayOfMonth() == 25);
    return new Object[] {year * 10000 + month * 100 + d.getDayOfMonth(),
        monthName + " " + d.getDayOfMonth() + ", " + year,
        dow.getDisplayName(TextStyle.FULL, Locale.ENGLISH), monthName, year,
        year * 100 + month, monthName.substring(0, 3) + year, dayInWeek, d.getDayOfMonth(),
        d.getDayOfYear(), month, (d.getDayOfYear() - 1) / 7 + 1, season(month),
        dow == DayOfWeek.SATURDAY ? 1 : 0, lastInMonth ? 1 : 0, holiday ? 1 : 0,
        dow.getValue() <= 5 ? 1 : 0};
  }

  private static String season(int month) {
    return switch (month) {
      case 12 -> "Christmas";
      case 1, 2 -> "Winter";
      case 3, 4, 5 -> "Spring";
      case 6, 7, 8 -> "Summer";
      default -> "Fall";
    };
  }

  // ---------------------------------------------------------------------------------------------
  // Line orders

  /** TPC-H's retail price of a part, in cents (90,000 to 209,900 and some). */
  static int priceCents(int partkey) {
    return 90_000 + (partkey / 10) % 20_001 + 100 * (partkey % 1000);
  }

  /** TPC-H's PART_SUPP_BRIDGE: the i-th (0-3) of the four suppliers of a part. */
  static int supplierOf(int partkey, int i, int suppliers) {
    return (int) ((partkey + (long) i * (suppliers / 4 + (partkey - 1) / suppliers)) % suppliers)
        + 1;
  }

  private void lineorders(RowSink sink, boolean flat) throws IOException {
    Object[][] cust = flat ? customerRows() : null;
    Object[][] supp = flat ? supplierRows() : null;
    Object[][] part = flat ? partRows() : null;
    Object[][] date = flat ? dateRows() : null;
    int[] dateCols = new int[SsbTable.FLAT_DATE.size()];
    for (int i = 0; i < dateCols.length; i++) {
      dateCols[i] = SsbTable.DWDATE.indexOf(SsbTable.FLAT_DATE.get(i));
    }
    int width = flat ? SsbTable.LINEORDER_FLAT.columns().size()
        : SsbTable.LINEORDER.columns().size();
    SplittableRandom r = random(4);
    int[] partkey = new int[MAX_LINES];
    int[] suppkey = new int[MAX_LINES];
    int[] quantity = new int[MAX_LINES];
    int[] discount = new int[MAX_LINES];
    int[] tax = new int[MAX_LINES];
    int[] commit = new int[MAX_LINES];
    String[] shipmode = new String[MAX_LINES];
    for (long o = 1; o <= orders; o++) {
      int custkey;
      do {
        custkey = 1 + r.nextInt(customers);
      } while (customers >= CUSTOMER_MORTALITY && custkey % CUSTOMER_MORTALITY == 0);
      int day = r.nextInt(ORDER_DAYS);
      String priority = pick(r, SsbDomains.PRIORITIES);
      int lines = 1 + r.nextInt(MAX_LINES);
      long total = 0;
      for (int l = 0; l < lines; l++) {
        partkey[l] = 1 + r.nextInt(parts);
        suppkey[l] = supplierOf(partkey[l], r.nextInt(4), suppliers);
        quantity[l] = 1 + r.nextInt(50);
        discount[l] = r.nextInt(11);
        tax[l] = r.nextInt(9);
        commit[l] = day + 30 + r.nextInt(61);
        shipmode[l] = pick(r, SsbDomains.SHIP_MODES);
        long ext = (long) quantity[l] * priceCents(partkey[l]);
        total += ext * (100 + tax[l]) * (100 - discount[l]) / 10_000;
      }
      int orderdate = dateKey(day);
      for (int l = 0; l < lines; l++) {
        int price = priceCents(partkey[l]);
        int ext = quantity[l] * price;
        Object[] row = new Object[width];
        row[0] = o;
        row[1] = l + 1;
        row[2] = custkey;
        row[3] = partkey[l];
        row[4] = suppkey[l];
        row[5] = orderdate;
        row[6] = priority;
        row[7] = 0;
        row[8] = quantity[l];
        row[9] = ext;
        row[10] = (int) total;
        row[11] = discount[l];
        row[12] = (int) ((long) ext * (100 - discount[l]) / 100);
        row[13] = 6 * price / 10;
        row[14] = tax[l];
        row[15] = dateKey(commit[l]);
        row[16] = shipmode[l];
        if (flat) {
          int at = 17;
          at = copyTail(cust[custkey - 1], row, at);
          at = copyTail(supp[suppkey[l] - 1], row, at);
          at = copyTail(part[partkey[l] - 1], row, at);
          for (int c : dateCols) {
            row[at++] = date[day][c];
          }
        }
        sink.accept(row);
      }
    }
  }

  /** yyyymmdd of each day of the date table. */
  private static final int[] DATE_KEYS = new int[DAYS];

  static {
    for (int i = 0; i < DAYS; i++) {
      LocalDate d = FIRST_DAY.plusDays(i);
      DATE_KEYS[i] = d.getYear() * 10000 + d.getMonthValue() * 100 + d.getDayOfMonth();
    }
  }

  /** yyyymmdd of the day {@code index} days after 1992-01-01 (within the date table). */
  static int dateKey(int index) {
    return DATE_KEYS[index];
  }

  /** Copies all but the first (key) value of {@code from} into {@code to} at {@code at}. */
  private static int copyTail(Object[] from, Object[] to, int at) {
    System.arraycopy(from, 1, to, at, from.length - 1);
    return at + from.length - 1;
  }

  // ---------------------------------------------------------------------------------------------
  // Values

  private static <T> T pick(SplittableRandom r, java.util.List<T> values) {
    return values.get(r.nextInt(values.size()));
  }

  /** Random letters and digits, {@code min} to {@code max} long (dbgen's v-string). */
  private static String text(SplittableRandom r, int min, int max) {
    char[] c = new char[min + r.nextInt(max - min + 1)];
    for (int i = 0; i < c.length; i++) {
      c[i] = ALNUM[r.nextInt(ALNUM.length)];
    }
    return new String(c);
  }

  /** TPC-H's phone format: country code (nation + 10) and three random groups. */
  private static String phone(SplittableRandom r, int nation) {
    return (nation + 10) + "-" + (100 + r.nextInt(900)) + "-" + (100 + r.nextInt(900)) + "-"
        + (1000 + r.nextInt(9000));
  }
}
