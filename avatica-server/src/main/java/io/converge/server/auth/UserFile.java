package io.converge.server.auth;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The users file of {@code converge server --users FILE}: one user per line as
 * {@code name:password-hash:role} (see {@link PasswordHash} and {@link Role}); blank lines and
 * lines starting with {@code #} are ignored. It never holds a password. {@code converge user add}
 * writes it (replacing the file atomically, readable by its owner only on POSIX systems).
 */
public final class UserFile {
  /** Shortest password {@code converge user add} accepts. */
  public static final int MIN_PASSWORD_LENGTH = 8;
  static final int MAX_NAME_LENGTH = 64;

  /** One line of the file. */
  public record Entry(String name, PasswordHash hash, Role role) {}

  private UserFile() {}

  /** The users of {@code file}, in file order; IOException for an unreadable or malformed file. */
  public static Map<String, Entry> read(Path file) throws IOException {
    List<String> lines;
    try {
      lines = Files.readAllLines(file, StandardCharsets.UTF_8);
    } catch (java.nio.file.NoSuchFileException e) {
      throw new IOException("users file " + file + " does not exist (create it with "
          + "'converge user add --users " + file + " NAME --role admin')");
    }
    Map<String, Entry> users = new LinkedHashMap<>();
    for (int i = 0; i < lines.size(); i++) {
      String line = lines.get(i).strip();
      if (line.isEmpty() || line.startsWith("#")) {
        continue;
      }
      try {
        Entry e = parseLine(line);
        if (users.put(e.name(), e) != null) {
          throw new IllegalArgumentException("user '" + e.name() + "' appears twice");
        }
      } catch (IllegalArgumentException e) {
        throw new IOException("users file " + file + ", line " + (i + 1) + ": " + e.getMessage());
      }
    }
    return Collections.unmodifiableMap(users);
  }

  static Entry parseLine(String line) {
    String[] parts = line.split(":", -1);
    if (parts.length != 3) {
      throw new IllegalArgumentException("expected name:password-hash:role");
    }
    checkName(parts[0]);
    return new Entry(parts[0], PasswordHash.parse(parts[1]), Role.parse(parts[2]));
  }

  /** 1-64 characters, none of them {@code :}, white space or a control character. */
  public static void checkName(String name) {
    if (name == null || name.isEmpty() || name.length() > MAX_NAME_LENGTH) {
      throw new IllegalArgumentException("a user name has 1 to " + MAX_NAME_LENGTH
          + " characters");
    }
    for (int i = 0; i < name.length(); i++) {
      char c = name.charAt(i);
      if (c == ':' || Character.isWhitespace(c) || Character.isISOControl(c)) {
        throw new IllegalArgumentException("a user name must not contain ':', white space or "
            + "control characters");
      }
    }
  }

  /** Refuses passwords shorter than {@value #MIN_PASSWORD_LENGTH} characters. */
  public static void checkPassword(char[] password) {
    if (password.length < MIN_PASSWORD_LENGTH) {
      throw new IllegalArgumentException("the password must have at least "
          + MIN_PASSWORD_LENGTH + " characters");
    }
  }

  /**
   * Adds {@code name} or replaces its line (keeping every other line, comments included), creating
   * the file when missing. Returns true when the user existed.
   */
  public static boolean put(Path file, String name, char[] password, Role role)
      throws IOException {
    checkName(name);
    checkPassword(password);
    String line = name + ":" + PasswordHash.create(password) + ":" + role.label();
    List<String> lines = Files.exists(file)
        ? new ArrayList<>(Files.readAllLines(file, StandardCharsets.UTF_8))
        : new ArrayList<>(List.of("# Converge users: name:pbkdf2-hash:role (reader, writer or "
            + "admin). Edit with 'converge user add|remove'.", ""));
    if (Files.exists(file)) {
      read(file); // refuse to rewrite a malformed file
    }
    boolean replaced = false;
    for (int i = 0; i < lines.size(); i++) {
      if (isUserLine(lines.get(i), name)) {
        lines.set(i, line);
        replaced = true;
      }
    }
    if (!replaced) {
      lines.add(line);
    }
    write(file, lines);
    return replaced;
  }

  /** Removes {@code name}; false when it was not in the file. */
  public static boolean remove(Path file, String name) throws IOException {
    read(file);
    List<String> lines = new ArrayList<>(Files.readAllLines(file, StandardCharsets.UTF_8));
    boolean removed = lines.removeIf(l -> isUserLine(l, name));
    if (removed) {
      write(file, lines);
    }
    return removed;
  }

  private static boolean isUserLine(String line, String name) {
    String l = line.strip();
    return !l.startsWith("#") && l.startsWith(name + ":");
  }

  private static void write(Path file, List<String> lines) throws IOException {
    Path abs = file.toAbsolutePath();
    Path dir = abs.getParent();
    Files.createDirectories(dir);
    Path tmp = Files.createTempFile(dir, ".users-", ".tmp");
    try {
      if (FileSystems.getDefault().supportedFileAttributeViews().contains("posix")) {
        Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rw-------"));
      }
      Files.write(tmp, lines, StandardCharsets.UTF_8);
      try {
        Files.move(tmp, abs, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
      } catch (AtomicMoveNotSupportedException e) {
        Files.move(tmp, abs, StandardCopyOption.REPLACE_EXISTING);
      }
    } finally {
      Files.deleteIfExists(tmp);
    }
  }
}
