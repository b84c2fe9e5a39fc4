package io.converge.server.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class UserFileTest {
  @Test
  void hashesAreSaltedAndVerify() {
    PasswordHash a = PasswordHash.create("correct horse".toCharArray(), 20_000);
    PasswordHash b = PasswordHash.create("correct horse".toCharArray(), 20_000);
    assertNotEquals(a.toString(), b.toString(), "same salt twice");
    PasswordHash parsed = PasswordHash.parse(a.toString());
    assertTrue(parsed.matches("correct horse".toCharArray()));
    assertFalse(parsed.matches("correct horsE".toCharArray()));
    assertFalse(parsed.matches(new char[0]));
    assertFalse(a.toString().contains(":"));
    assertTrue(a.toString().startsWith("pbkdf2-sha256$20000$"));
  }

  @Test
  void malformedHashesAreRefused() {
    for (String bad : new String[] {"plain", "pbkdf2-sha256$1$AAAA$AAAA",
        "md5$1000$AAAA$AAAA", "pbkdf2-sha256$20000$!!$AAAA", "pbkdf2-sha256$x$AAAA$AAAA"}) {
      assertThrows(IllegalArgumentException.class, () -> PasswordHash.parse(bad), bad);
    }
  }

  @Test
  void putWritesHashesNeverPasswordsAndKeepsOtherLines(@TempDir Path dir) throws IOException {
    Path f = dir.resolve("users");
    assertFalse(UserFile.put(f, "ann", "ann-password".toCharArray(), Role.READER));
    assertFalse(UserFile.put(f, "bob", "bob-password".toCharArray(), Role.WRITER));
    assertTrue(UserFile.put(f, "ann", "ann-password-2".toCharArray(), Role.ADMIN));
    String text = Files.readString(f);
    assertFalse(text.contains("ann-password"), text);
    assertFalse(text.contains("bob-password"), text);
    assertTrue(text.startsWith("# Converge users"), text);
    var users = UserFile.read(f);
    assertEquals(2, users.size());
    assertEquals(Role.ADMIN, users.get("ann").role());
    assertTrue(users.get("ann").hash().matches("ann-password-2".toCharArray()));
    assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(f)));
    assertTrue(UserFile.remove(f, "bob"));
    assertFalse(UserFile.remove(f, "bob"));
    assertEquals(1, UserFile.read(f).size());
  }

  @Test
  void malformedFilesNameTheLine(@TempDir Path dir) throws IOException {
    Path f = dir.resolve("users");
    Files.writeString(f, "# comment\n\nann:plain-password:reader\n");
    IOException e = assertThrows(IOException.class, () -> UserFile.read(f));
    assertTrue(e.getMessage().contains("line 3"), e.getMessage());
    assertFalse(e.getMessage().contains("plain-password"), e.getMessage());
    Files.writeString(f, "ann:" + PasswordHash.create("x".repeat(8).toCharArray(), 20_000)
        + ":root\n");
    e = assertThrows(IOException.class, () -> UserFile.read(f));
    assertTrue(e.getMessage().contains("unknown role 'root'"), e.getMessage());
  }

  @Test
  void directoryChecksPasswordsAndRemembersOnlySuccesses(@TempDir Path dir) throws IOException {
    Path f = dir.resolve("users");
    Files.writeString(f, "ann:" + PasswordHash.create("ann-password".toCharArray(), 20_000)
        + ":writer\n");
    UserDirectory users = UserDirectory.load(f);
    assertNull(users.remembered("ann", "ann-password".toCharArray()));
    assertNull(users.authenticate("ann", "wrong-password".toCharArray()));
    assertNull(users.authenticate("nobody", "ann-password".toCharArray()));
    assertEquals(new ConvergeUser("ann", Role.WRITER),
        users.authenticate("ann", "ann-password".toCharArray()));
    assertEquals(new ConvergeUser("ann", Role.WRITER),
        users.remembered("ann", "ann-password".toCharArray()));
    assertNull(users.remembered("ann", "wrong-password".toCharArray()));
    Files.writeString(f, "# nobody\n");
    assertThrows(IOException.class, () -> UserDirectory.load(f));
  }

  @Test
  void throttleCountsFailuresPerAddressWithinTheWindow() {
    long[] now = {1_000};
    LoginThrottle t = new LoginThrottle(2, 300, () -> now[0]);
    t.failed("10.0.0.1");
    assertEquals(0, t.blockedFor("10.0.0.1"));
    now[0] += 100;
    t.failed("10.0.0.1");
    assertEquals(200, t.blockedFor("10.0.0.1"));
    assertEquals(0, t.blockedFor("10.0.0.2"));
    now[0] += 200;
    assertEquals(0, t.blockedFor("10.0.0.1"));
    // a failure after the window starts a new one
    t.failed("10.0.0.1");
    assertEquals(0, t.blockedFor("10.0.0.1"));
  }
}
