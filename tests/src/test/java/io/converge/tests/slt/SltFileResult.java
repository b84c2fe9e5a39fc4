package io.converge.tests.slt;

import java.util.LinkedHashMap;
import java.util.Map;

/** What one engine did with one test file. */
final class SltFileResult {
  final String engine;
  final String file;
  int statements;
  int statementsFailed;
  int queries;
  int queriesPassed;
  int queriesFailed;
  volatile long millis;
  /** False while the file is still running (a partial report shows it as such). */
  volatile boolean finished;
  final long startNanos = System.nanoTime();
  /** Failure reason (first line, numbers generalized) -> count and one example. */
  final Map<String, Reason> reasons = new LinkedHashMap<>();

  static final class Reason {
    int count;
    final String example;

    Reason(String example) {
      this.example = example;
    }
  }

  SltFileResult(String engine, String file) {
    this.engine = engine;
    this.file = file;
  }

  void fail(String reason, String sql) {
    reasons.computeIfAbsent(reason, r -> new Reason(sql)).count++;
  }
}
