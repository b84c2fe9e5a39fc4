package io.converge.cluster.log;

/**
 * A collection as the catalog topic holds it (key: the collection name; a null value = dropped).
 *
 * @param collection the collection (table) name
 * @param partitions partitions of its data topic, fixed when it is created
 * @param declaredSchema {@code DeclaredSchema.encode()} in Base64 for a {@code CREATE TABLE}
 *     collection, null for a schemaless one
 * @param createdMillis when it was created
 */
public record CatalogEntry(String collection, int partitions, String declaredSchema,
    long createdMillis) {

  public byte[] encode() {
    return ClusterJson.encode(this);
  }

  public static CatalogEntry decode(byte[] bytes) {
    return ClusterJson.decode(bytes, CatalogEntry.class);
  }
}
