package io.converge.storage.exec;

import io.converge.storage.StoreException;
import io.converge.storage.encoding.ColumnVector;
import io.converge.storage.encoding.KeySpace;
import io.converge.storage.encoding.SegmentStats;
import io.converge.storage.guard.QueryGuard;
import io.converge.storage.index.TailSegment;
import io.converge.storage.schema.CollectionSchema;
import java.util.List;
import org.roaringbitmap.RoaringBitmap;
import org.rocksdb.RocksDBException;
import org.rocksdb.RocksIterator;

/**
 * What query execution reads from one consistent view of a collection, segment by segment: the
 * live rows, column vectors, per-segment statistics and the key spaces, all as of the view. A
 * {@link io.converge.storage.CollectionSnapshot} is one; the executors in this package see the
 * view only through this interface.
 */
public interface SegmentSource {
  /** The collection's number, the first four bytes of its keys. */
  int collectionId();

  CollectionSchema schema();

  /** The stop conditions of the query reading through this view. */
  QueryGuard guard();

  /** Segments 0..tail (inclusive); the last one is the in-memory tail. */
  int segmentCount();

  /** Whether a segment is sealed, as seen by this view. */
  boolean isSealed(int segment);

  /** Rows written in a segment still in memory, or -1 for a sealed segment. */
  int inMemoryCount(int segment);

  /** Every live rid of this view, as one bitmap. */
  RoaringBitmap liveRids();

  /**
   * The live row offsets of one segment (only rows written before this view for an in-memory
   * one), restricted to {@code rids} when not null; empty when none. Every reader goes through
   * this, so all of them see the same rows.
   */
  RoaringBitmap selectedOffsets(int segment, RoaringBitmap rids);

  /** The field id of a path ({@code _id} and {@code _event_time} included), or -1 when unknown. */
  int fieldId(String path);

  /** One field's values in one segment, indexed by row offset; null when the field is absent. */
  Object[] column(int fieldId, int segment);

  /** One field's values in one segment in vector form; null when the field is absent. */
  ColumnVector vector(int fieldId, int segment);

  /** A sealed segment's column as stored, decoded afresh (not through any cache). */
  ColumnVector storedVector(int fieldId, int segment);

  /**
   * The values of {@code paths} for the given live offsets of a sealed segment, read from the row
   * store: result[path][k] is the k-th offset's value, in offset order.
   */
  Object[][] rowValues(int segment, RoaringBitmap offsets, List<String> paths);

  /** Min/max statistics of a sealed segment's column, or null when unknown. */
  SegmentStats stats(int fieldId, int segment);

  /** An iterator over one key space as of this view; the caller closes it. */
  RocksIterator iterator(KeySpace space);

  /** One key's value in one key space as of this view, or null. */
  byte[] get(KeySpace space, byte[] key) throws RocksDBException;

  /** The error to throw for a failed read, naming what was being read. */
  StoreException failure(String what, RocksDBException e);

  /** The first rid of a segment. */
  static long segmentBase(int segment) {
    return (long) segment << TailSegment.SEGMENT_BITS;
  }

  /** Rids fit in an int (2^31 documents written per collection): bitmaps use ints. */
  static int ridOf(long rid) {
    if (rid > Integer.MAX_VALUE) {
      throw new StoreException("rid " + rid + " is beyond the 2^31 rows a collection can address");
    }
    return (int) rid;
  }
}
