package io.converge.cluster.transport;

import io.converge.cluster.fragment.FragmentException;
import io.converge.cluster.fragment.FragmentException.Kind;
import io.converge.cluster.fragment.LeafEndpoint;
import org.apache.arrow.flight.CallStatus;
import org.apache.arrow.flight.FlightRuntimeException;
import org.apache.arrow.flight.FlightStatusCode;

/** {@link FragmentException} kinds to Flight status codes on the leaf, and back on the aggregator. */
final class FlightErrors {
  static final int MAX_MESSAGE_CHARS = 1_000;

  private FlightErrors() {}

  /** The status a leaf sends for a failed fragment: the kind's code and the one-line message. */
  static CallStatus toStatus(FragmentException e) {
    CallStatus status = switch (e.kind()) {
      case UNAVAILABLE -> CallStatus.UNAVAILABLE;
      case INVALID -> CallStatus.INVALID_ARGUMENT;
      case TIMEOUT -> CallStatus.TIMED_OUT;
      case CANCELLED -> CallStatus.CANCELLED;
      case FAILED -> CallStatus.INTERNAL;
    };
    return status.withDescription(oneLine(e.getMessage()));
  }

  static Kind kind(FlightStatusCode code) {
    return switch (code) {
      case UNAVAILABLE -> Kind.UNAVAILABLE;
      case INVALID_ARGUMENT -> Kind.INVALID;
      case TIMED_OUT -> Kind.TIMEOUT;
      case CANCELLED -> Kind.CANCELLED;
      default -> Kind.FAILED;
    };
  }

  /** The aggregator's view of a failed call: the leaf's kind and message, named by the leaf. */
  static FragmentException fromFlight(LeafEndpoint leaf, FlightRuntimeException e) {
    String description = e.status().description();
    if (description == null || description.isEmpty()) {
      description = e.status().code().name();
    }
    return new FragmentException(kind(e.status().code()), leaf + ": " + description, e);
  }

  /**
   * The first line, cut to {@value #MAX_MESSAGE_CHARS} characters: the message travels in a gRPC
   * trailer, and the client refuses trailers past 8 KiB.
   */
  static String oneLine(String message) {
    if (message == null) {
      return "";
    }
    int newline = message.indexOf('\n');
    String line = newline < 0 ? message : message.substring(0, newline);
    return line.length() <= MAX_MESSAGE_CHARS ? line : line.substring(0, MAX_MESSAGE_CHARS) + "...";
  }
}
