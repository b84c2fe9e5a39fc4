import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;

/**
 * Runs {@code select count(*)} against a cluster every {@code pauseMs} for {@code seconds} and
 * prints one line per query: milliseconds since the epoch, OK or ERR, the count or the error's
 * first line. failover-times.sh reads these lines.
 */
public class FailoverProbe {
  public static void main(String[] args) throws Exception {
    String url = args[0];
    String table = args[1];
    long seconds = Long.parseLong(args[2]);
    long pauseMs = Long.parseLong(args[3]);
    Connection c = DriverManager.getConnection(url);
    long end = System.currentTimeMillis() + seconds * 1000; // from the first query on
    while (System.currentTimeMillis() < end) {
      long t = System.currentTimeMillis();
      try (Statement s = c.createStatement();
          ResultSet rs = s.executeQuery("select count(*) from " + table)) {
        rs.next();
        System.out.println(t + " OK " + rs.getLong(1) + " " + (System.currentTimeMillis() - t));
      } catch (Exception e) {
        String m = String.valueOf(e.getMessage()).lines().findFirst().orElse("");
        System.out.println(t + " ERR " + m.replace(' ', '_'));
        try {
          c.close();
        } catch (Exception ignored) {
          // reconnect below
        }
        c = DriverManager.getConnection(url);
      }
      System.out.flush();
      Thread.sleep(pauseMs);
    }
    c.close();
  }
}
