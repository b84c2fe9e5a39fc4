package io.converge.adapter.write;

import io.converge.adapter.ConvergeTable;
import java.util.List;
import org.apache.calcite.rel.core.TableModify;

/**
 * What a planned write does: the table (its collection and column list as planned), the
 * operation, and for UPDATE the names of the columns set (their new values follow the table's
 * columns in each input row).
 */
public record WriteSpec(ConvergeTable table, TableModify.Operation operation,
    List<String> updatedColumns) {}
