package io.converge.adapter;

import io.converge.storage.ConvergeCollection;
import java.util.Objects;

/**
 * The collection a table reads. Most tables are bound to one collection for life; a cluster leaf
 * binds one planned statement to each of its shards in turn ({@link #rebindable}), so a fragment
 * is planned once per leaf rather than once per shard: shards of a collection share their columns
 * (typed by the merged field statistics) and differ only in their rows, which a plan never holds.
 *
 * <p>A rebindable binding is used by one statement, and so by one thread, at a time: bind before
 * executing, {@link #clear} after.
 */
public final class CollectionBinding {
  private final boolean rebindable;
  /** The first bound collection's name, for messages (shards of one collection). */
  private final String name;
  private volatile ConvergeCollection collection;

  private CollectionBinding(ConvergeCollection collection, boolean rebindable) {
    this.collection = collection;
    this.rebindable = rebindable;
    this.name = collection.name();
  }

  /** Bound to {@code collection} for life. */
  static CollectionBinding fixed(ConvergeCollection collection) {
    return new CollectionBinding(Objects.requireNonNull(collection, "collection"), false);
  }

  /** Bound first to {@code collection} (which planning reads statistics from), then as bound. */
  public static CollectionBinding rebindable(ConvergeCollection collection) {
    return new CollectionBinding(Objects.requireNonNull(collection, "collection"), true);
  }

  /** Reads {@code c} from now on (a shard of the collection the statement was planned for). */
  public void bind(ConvergeCollection c) {
    if (!rebindable) {
      throw new IllegalStateException("table of '" + name + "' is not rebindable");
    }
    collection = Objects.requireNonNull(c, "collection");
  }

  /**
   * Drops the reference to the last bound collection (an idle statement must not keep a dropped
   * shard reachable); binding again is required before the next execution.
   */
  public void clear() {
    if (rebindable) {
      collection = null;
    }
  }

  String name() {
    return name;
  }

  ConvergeCollection collection() {
    ConvergeCollection c = collection;
    if (c == null) {
      throw new IllegalStateException("the table of '" + name
          + "' was executed without a bound shard");
    }
    return c;
  }
}
