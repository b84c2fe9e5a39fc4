package io.converge.tests;

import io.converge.storage.ConvergeCollection;
import io.converge.storage.ConvergeStore;
import io.converge.storage.json.DocumentPreparer;
import io.converge.storage.json.InvalidDocumentException;
import io.converge.storage.json.PreparedDocument;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The small deterministic data set every end-to-end test queries. Its contents are known, so
 * tests compute the exact expected answers from {@link #orders()} and {@link #customers()}.
 *
 * <p>{@code orders} (300 documents, {@code _id} "o1".."o300"), for order number i:
 * <ul>
 *   <li>{@code status}: new / paid / shipped / cancelled by {@code i % 4} (low cardinality)</li>
 *   <li>{@code quantity}: integer {@code i % 7 + 1}</li>
 *   <li>{@code amount}: double {@code i + 0.25 * (i % 4)} (exact in binary)</li>
 *   <li>{@code customer}: nested object {@code {id: "c" + i % 20, country: COUNTRIES[i % 5]}},
 *       plus {@code customer.vip = true} only when {@code i % 20 == 0}</li>
 *   <li>{@code tags}: array of strings, {@code ["gift","express"]}, {@code ["sale"]} or
 *       {@code ["sale","clearance"]} by {@code i % 3}</li>
 *   <li>{@code code}: mixed types, the integer i when i is even, the string "x" + i when odd</li>
 *   <li>{@code coupon}: "SAVE10" when {@code i % 10 == 0}, missing otherwise</li>
 *   <li>{@code _event_time}: 2026-01-01T00:00:00Z plus i minutes</li>
 * </ul>
 * {@code customers} (20 documents, {@code _id} "c0".."c19"): {@code name} "Customer k",
 * {@code country} COUNTRIES[k % 5] (consistent with the orders' nested country),
 * {@code credit} integer {@code k * 100}.
 */
public final class TestData {
  public static final String ORDERS = "orders";
  public static final String CUSTOMERS = "customers";
  public static final int ORDER_COUNT = 300;
  public static final int CUSTOMER_COUNT = 20;
  public static final String[] STATUSES = {"new", "paid", "shipped", "cancelled"};
  public static final String[] COUNTRIES = {"DE", "FR", "US", "JP", "BR"};
  public static final long EPOCH_2026 = 1767225600000L;

  private TestData() {}

  public static Map<String, Object> order(int i) {
    Map<String, Object> customer = new LinkedHashMap<>();
    customer.put("id", "c" + (i % 20));
    customer.put("country", COUNTRIES[i % 5]);
    if (i % 20 == 0) {
      customer.put("vip", true);
    }
    Map<String, Object> o = new LinkedHashMap<>();
    o.put("_id", "o" + i);
    o.put("_event_time", EPOCH_2026 + i * 60_000L);
    o.put("status", STATUSES[i % 4]);
    o.put("quantity", (long) (i % 7 + 1));
    o.put("amount", i + 0.25 * (i % 4));
    o.put("customer", customer);
    o.put("tags", tags(i));
    o.put("code", i % 2 == 0 ? (Object) (long) i : "x" + i);
    if (i % 10 == 0) {
      o.put("coupon", "SAVE10");
    }
    return o;
  }

  public static List<Object> tags(int i) {
    switch (i % 3) {
      case 0:
        return List.of("gift", "express");
      case 1:
        return List.of("sale");
      default:
        return List.of("sale", "clearance");
    }
  }

  public static List<Map<String, Object>> orders() {
    List<Map<String, Object>> list = new ArrayList<>();
    for (int i = 1; i <= ORDER_COUNT; i++) {
      list.add(order(i));
    }
    return list;
  }

  public static Map<String, Object> customer(int k) {
    Map<String, Object> c = new LinkedHashMap<>();
    c.put("_id", "c" + k);
    c.put("name", "Customer " + k);
    c.put("country", COUNTRIES[k % 5]);
    c.put("credit", (long) k * 100);
    return c;
  }

  public static List<Map<String, Object>> customers() {
    List<Map<String, Object>> list = new ArrayList<>();
    for (int k = 0; k < CUSTOMER_COUNT; k++) {
      list.add(customer(k));
    }
    return list;
  }

  /** Writes orders and customers into a store. */
  public static void write(ConvergeStore store) {
    upsert(store.getOrCreate(ORDERS), orders());
    upsert(store.getOrCreate(CUSTOMERS), customers());
  }

  /** Upserts documents in batches of 1,000 through the storage API. */
  public static void upsert(ConvergeCollection collection, List<Map<String, Object>> docs) {
    DocumentPreparer preparer = new DocumentPreparer();
    long now = System.currentTimeMillis();
    List<PreparedDocument> batch = new ArrayList<>();
    for (Map<String, Object> doc : docs) {
      try {
        batch.add(preparer.prepare(doc, now));
      } catch (InvalidDocumentException e) {
        throw new IllegalArgumentException("test document rejected: " + e.getMessage(), e);
      }
      if (batch.size() == 1000) {
        collection.upsert(batch);
        batch = new ArrayList<>();
      }
    }
    if (!batch.isEmpty()) {
      collection.upsert(batch);
    }
  }
}
