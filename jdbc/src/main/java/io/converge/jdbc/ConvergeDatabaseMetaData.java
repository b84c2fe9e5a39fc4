package io.converge.jdbc;

import org.apache.calcite.avatica.AvaticaConnection;
import org.apache.calcite.avatica.AvaticaDatabaseMetaData;

/** Avatica's database metadata, unchanged (its constructor is protected). */
final class ConvergeDatabaseMetaData extends AvaticaDatabaseMetaData {
  ConvergeDatabaseMetaData(AvaticaConnection connection) {
    super(connection);
  }
}
