package io.converge.storage;

import io.converge.storage.json.PreparedDocument;

/** One change in a write batch: upsert a prepared document, or delete by {@code _id}. */
public sealed interface Mutation {
  String id();

  record Upsert(PreparedDocument document) implements Mutation {
    @Override
    public String id() {
      return document.id();
    }
  }

  record Delete(String id) implements Mutation {}

  static Mutation upsert(PreparedDocument d) {
    return new Upsert(d);
  }

  static Mutation delete(String id) {
    return new Delete(id);
  }
}
