package io.converge.server;

import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.sql.Array;
import java.sql.CallableStatement;
import java.sql.Connection;
import java.sql.DatabaseMetaData;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLFeatureNotSupportedException;
import java.sql.Statement;
import java.util.Set;

/**
 * Wraps the server-side Calcite JDBC objects so that ARRAY values cross Avatica intact.
 *
 * <p>Avatica's server reads an array through {@link Array#getResultSet()} and expects JDBC's two
 * columns (index, value); Calcite's array result set has only the value column (CALCITE-3162), so
 * every query returning an array column failed with "cannot convert to long". Avatica falls back
 * to {@link Array#getArray()} when {@code getResultSet} is unsupported, so the wrapped arrays say
 * exactly that. Everything else is passed through untouched.
 */
final class ArrayFriendlyJdbc {
  private static final Set<Class<?>> WRAPPED = Set.of(Connection.class, Statement.class,
      PreparedStatement.class, CallableStatement.class, ResultSet.class, Array.class,
      DatabaseMetaData.class);

  private ArrayFriendlyJdbc() {}

  static Connection wrap(Connection c) {
    return c == null || Proxy.isProxyClass(c.getClass()) ? c : (Connection) proxy(c, Connection.class);
  }

  private static Object proxy(Object target, Class<?> iface) {
    return Proxy.newProxyInstance(ArrayFriendlyJdbc.class.getClassLoader(),
        new Class<?>[] {iface}, new Handler(target, iface));
  }

  private static final class Handler implements InvocationHandler {
    private final Object target;
    private final Class<?> iface;

    Handler(Object target, Class<?> iface) {
      this.target = target;
      this.iface = iface;
    }

    @Override
    public Object invoke(Object proxy, Method method, Object[] args) throws Throwable {
      String name = method.getName();
      if (iface == Array.class && name.equals("getResultSet")) {
        throw new SQLFeatureNotSupportedException("read the array with getArray()");
      }
      if (name.equals("equals") && args != null && args.length == 1) {
        Object other = args[0];
        if (other != null && Proxy.isProxyClass(other.getClass())
            && Proxy.getInvocationHandler(other) instanceof Handler h) {
          other = h.target;
        }
        return target.equals(other);
      }
      Object result;
      try {
        result = method.invoke(target, args);
      } catch (InvocationTargetException e) {
        throw e.getCause();
      }
      Class<?> returns = method.getReturnType();
      if (result != null && WRAPPED.contains(returns) && !name.equals("unwrap")) {
        return proxy(result, returns);
      }
      return result;
    }
  }
}
