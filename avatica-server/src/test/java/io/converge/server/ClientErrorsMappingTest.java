package io.converge.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import java.sql.SQLException;
import org.apache.calcite.avatica.AvaticaSeverity;
import org.apache.calcite.avatica.remote.AvaticaRuntimeException;
import org.junit.jupiter.api.Test;

/** How {@link ClientErrors} maps failures without a server (end to end: tests/ClientErrorsTest). */
class ClientErrorsMappingTest {
  private static AvaticaRuntimeException of(Throwable e) {
    return (AvaticaRuntimeException) ClientErrors.of(e);
  }

  @Test
  void thePlannersDumpBecomesOneLineNamingTheFunction() {
    String dump = "There are not enough rules to produce a node with desired properties:"
        + " convention=ENUMERABLE, sort=[]. Missing conversion is LogicalAggregate[convention:"
        + " NONE -> ENUMERABLE]\nThere is 1 empty subset: rel#21:RelSubset#3.ENUMERABLE.[], the"
        + " relevant part of the original plan is as follows\n18:LogicalAggregate(group=[{}],"
        + " EXPR$0=[PERCENTILE_CONT($0) WITHIN GROUP ([1])])\n  16:LogicalProject(EXPR$0=[0.5:"
        + "DECIMAL(2, 1)], amount=[$2])\n\nRoot: rel#21\nOriginal rel:\n" + "x\n".repeat(200);
    assertEquals("not supported: PERCENTILE_CONT (Converge cannot execute this aggregate)",
        ClientErrors.cannotPlan(dump));
    assertEquals("not supported: this query (Converge cannot execute it)",
        ClientErrors.cannotPlan(null));
  }

  @Test
  void aMessagelessExceptionNamesWhereItArose() {
    AvaticaRuntimeException e = of(new RuntimeException(new UnsupportedOperationException()));
    assertEquals("0A000", e.getSqlState());
    assertEquals("not supported: operation in ClientErrorsMappingTest."
        + "aMessagelessExceptionNamesWhereItArose", e.getErrorMessage());
  }

  @Test
  void aSqlExceptionKeepsItsStateAndGetsOneLine() {
    AvaticaRuntimeException e = of(new RuntimeException(
        new SQLException("first line\nsecond line", "22001")));
    assertEquals("22001", e.getSqlState());
    assertEquals("first line", e.getErrorMessage());
  }

  @Test
  void errorsWithoutAStateOrMessageAreRebuilt() {
    AvaticaRuntimeException kept = new AvaticaRuntimeException("fine", -1, "42501",
        AvaticaSeverity.ERROR);
    assertSame(kept, ClientErrors.of(kept));
    AvaticaRuntimeException noState = of(new AvaticaRuntimeException("x", -1, "00000",
        AvaticaSeverity.ERROR));
    assertEquals("HY000", noState.getSqlState());
  }

  @Test
  void anErrorOfGeneratedCodeIsMappedByItsCause() {
    AvaticaRuntimeException e = of(new ExceptionInInitializerError(
        new ArithmeticException("/ by zero")));
    assertEquals("22012", e.getSqlState());
    assertEquals("division by zero", e.getErrorMessage());
  }

  @Test
  void longMessagesAreCut() {
    assertEquals(603, ClientErrors.firstLine("y".repeat(5000)).length());
  }
}
