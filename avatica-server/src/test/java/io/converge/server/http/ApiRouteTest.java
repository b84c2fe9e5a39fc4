package io.converge.server.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class ApiRouteTest {
  @Test
  void ownsOnlyTheV1Tree() {
    assertTrue(ApiRoute.owns("/v1"));
    assertTrue(ApiRoute.owns("/v1/collections"));
    assertFalse(ApiRoute.owns("/"));
    assertFalse(ApiRoute.owns("/v10/collections"));
    assertFalse(ApiRoute.owns(null));
  }

  @Test
  void parsesEachResource() throws ApiException {
    assertEquals(new ApiRoute(ApiRoute.Kind.COLLECTIONS, null, null),
        ApiRoute.parse("/v1/collections"));
    assertEquals(new ApiRoute(ApiRoute.Kind.COLLECTIONS, null, null),
        ApiRoute.parse("/v1/collections/"));
    assertEquals(new ApiRoute(ApiRoute.Kind.COLLECTION, "orders", null),
        ApiRoute.parse("/v1/collections/orders"));
    assertEquals(new ApiRoute(ApiRoute.Kind.DOCUMENTS, "orders", null),
        ApiRoute.parse("/v1/collections/orders/docs"));
    assertEquals(new ApiRoute(ApiRoute.Kind.DOCUMENT, "a/b", "x y+é"),
        ApiRoute.parse("/v1/collections/a%2Fb/docs/x%20y+%C3%A9"));
  }

  @Test
  void unknownPathsAre404AndBadNames400() {
    for (String p : new String[] {"/v1", "/v1/", "/v1/nothing", "/v1/collections/o/rows",
        "/v1/collections/o/docs/1/2"}) {
      assertEquals(404, assertThrows(ApiException.class, () -> ApiRoute.parse(p)).status, p);
    }
    assertEquals(400, assertThrows(ApiException.class,
        () -> ApiRoute.parse("/v1/collections/a%0Ab")).status);
    assertEquals(400, assertThrows(ApiException.class,
        () -> ApiRoute.parse("/v1/collections//docs")).status);
    assertEquals(400, assertThrows(ApiException.class,
        () -> ApiRoute.parse("/v1/collections/a%ZZ")).status);
    assertEquals(400, assertThrows(ApiException.class,
        () -> ApiRoute.parse("/v1/collections/a%FF")).status);
  }
}
