package io.converge.cluster.aggregator.write;

import io.converge.adapter.ConvergeColumn;
import java.util.List;
import org.apache.calcite.rel.core.TableModify;

/**
 * What a planned SQL write does: the collection, its columns as planned, the operation, and for
 * UPDATE the names of the columns set (their new values follow the table's columns in each row).
 */
public record ClusterWriteSpec(String collection, List<ConvergeColumn> columns, String bootstrap,
    TableModify.Operation operation, List<String> updatedColumns) {}
