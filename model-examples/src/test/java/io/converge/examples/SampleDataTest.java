package io.converge.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.converge.storage.json.JsonDocumentReader;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SampleDataTest {
  private static List<Map<String, Object>> list(Iterator<Map<String, Object>> it) {
    List<Map<String, Object>> out = new ArrayList<>();
    it.forEachRemaining(out::add);
    return out;
  }

  @Test
  void sameSeedGivesTheSameDocuments() {
    assertEquals(list(SampleData.orders(2_000, 7)), list(SampleData.orders(2_000, 7)));
    assertEquals(list(SampleData.customers(500, 7)), list(SampleData.customers(500, 7)));
  }

  @Test
  void anotherSeedGivesOtherDocuments() {
    assertNotEquals(list(SampleData.orders(100, 7)), list(SampleData.orders(100, 8)));
    assertNotEquals(list(SampleData.customers(100, 7)), list(SampleData.customers(100, 8)));
  }

  @Test
  void aShorterRunIsAPrefixOfALongerOne() {
    assertEquals(list(SampleData.orders(300, 42)), list(SampleData.orders(1_000, 42)).subList(0, 300));
  }

  @Test
  void generatesExactlyCountDocuments() {
    assertEquals(0, list(SampleData.orders(0, 1)).size());
    assertEquals(1_234, list(SampleData.orders(1_234, 1)).size());
  }

  @Test
  @SuppressWarnings("unchecked")
  void ordersHaveTheDocumentedShape() {
    List<Map<String, Object>> orders = list(SampleData.orders(20_000, 42));
    assertEquals("o-000001", orders.get(0).get("_id"));
    assertEquals("o-020000", orders.get(19_999).get("_id"));
    Map<String, Integer> statuses = new HashMap<>();
    int numericDiscount = 0;
    int textDiscount = 0;
    int noDiscount = 0;
    int coupons = 0;
    Instant from = Instant.parse("2025-01-01T00:00:00Z");
    Instant to = Instant.parse("2026-01-01T00:00:00Z");
    for (Map<String, Object> o : orders) {
      statuses.merge((String) o.get("status"), 1, Integer::sum);
      double amount = (Double) o.get("amount");
      assertTrue(amount > 0, "amount " + amount);
      assertEquals(Math.round(amount * 100) / 100.0, amount, 0.0, "cents");
      long quantity = (Long) o.get("quantity");
      assertTrue(quantity >= 1 && quantity <= 10);
      Instant created = Instant.parse((String) o.get("created_at"));
      assertTrue(!created.isBefore(from) && created.isBefore(to), created.toString());
      Map<String, Object> customer = (Map<String, Object>) o.get("customer");
      assertEquals(Set.of("id", "country", "tier"), customer.keySet());
      String id = (String) customer.get("id");
      assertTrue(id.matches("c-\\d{5}"), id);
      int n = Integer.parseInt(id.substring(2));
      assertTrue(n >= 1 && n <= SampleData.CUSTOMER_POOL);
      assertTrue(SampleData.COUNTRY.values().contains(customer.get("country")));
      assertTrue(SampleData.TIER.values().contains(customer.get("tier")));
      List<Object> tags = (List<Object>) o.get("tags");
      assertTrue(tags.size() <= 3);
      assertEquals(tags.size(), new HashSet<>(tags).size(), "distinct tags");
      assertTrue(List.of(SampleData.TAGS).containsAll(tags));
      Object discount = o.get("discount");
      if (discount == null) {
        assertTrue(!o.containsKey("discount"), "missing, not null");
        noDiscount++;
      } else if (discount instanceof Double) {
        numericDiscount++;
      } else {
        assertTrue(((String) discount).matches("\\d+%"), discount.toString());
        textDiscount++;
      }
      if (o.containsKey("coupon")) {
        coupons++;
      }
      assertTrue(SampleData.CHANNEL.values().contains(o.get("channel")));
      Map<String, Object> shipping = (Map<String, Object>) o.get("shipping");
      assertTrue(SampleData.SHIPPING.values().contains(shipping.get("method")));
      assertTrue((Long) shipping.get("days") >= 0 && (Long) shipping.get("days") <= 10);
    }
    assertEquals(Set.copyOf(SampleData.STATUS.values()), statuses.keySet());
    assertTrue(statuses.get("delivered") > orders.size() / 2, "status is skewed: " + statuses);
    assertTrue(numericDiscount > textDiscount && textDiscount > 0 && noDiscount > 0,
        "discount has mixed types and is sometimes missing");
    assertTrue(coupons > 0 && coupons < orders.size() / 5, "coupon is missing in most orders");
  }

  @Test
  @SuppressWarnings("unchecked")
  void ordersAgreeWithCustomersOnTheirCountry() {
    Map<Object, Object> countryById = new HashMap<>();
    for (Map<String, Object> c : list(SampleData.customers(SampleData.CUSTOMER_POOL, 42))) {
      assertEquals(Set.of("_id", "name", "country", "signup_at", "segment"), c.keySet());
      Instant.parse((String) c.get("signup_at"));
      countryById.put(c.get("_id"), c.get("country"));
    }
    assertEquals("c-00001", list(SampleData.customers(1, 42)).get(0).get("_id"));
    for (Map<String, Object> o : list(SampleData.orders(5_000, 42))) {
      Map<String, Object> customer = (Map<String, Object>) o.get("customer");
      assertEquals(countryById.get(customer.get("id")), customer.get("country"));
    }
  }

  @Test
  void ndjsonParsesBackToTheSameDocuments() throws IOException {
    StringWriter w = new StringWriter();
    SampleData.writeNdjson(w, SampleData.orders(500, 3));
    String text = w.toString();
    assertEquals(500, text.lines().count());
    List<JsonDocumentReader.Entry> entries = JsonDocumentReader.readAll(
        new ByteArrayInputStream(text.getBytes(StandardCharsets.UTF_8)));
    List<Map<String, Object>> parsed = new ArrayList<>();
    for (JsonDocumentReader.Entry e : entries) {
      assertTrue(e.ok(), e.error());
      parsed.add(e.document());
    }
    assertEquals(list(SampleData.orders(500, 3)), parsed);
  }

  @Test
  void writesNdjsonFiles(@TempDir Path dir) throws IOException {
    Path f = dir.resolve("sub/customers.ndjson");
    SampleData.writeNdjson(f, SampleData.CUSTOMERS, 25, 42);
    List<String> lines = Files.readAllLines(f);
    assertEquals(25, lines.size());
    assertTrue(lines.get(0).startsWith("{\"_id\":\"c-00001\""), lines.get(0));
  }

  @Test
  void committedSampleFileMatchesTheGenerator() throws IOException {
    Path committed = Path.of("data/orders-1k.ndjson");
    StringWriter w = new StringWriter();
    SampleData.writeNdjson(w, SampleData.orders(1_000, 42));
    assertEquals(w.toString(), Files.readString(committed));
  }
}
