package io.converge.server.cli;

import io.converge.server.auth.Role;
import io.converge.server.auth.UserFile;
import java.io.BufferedReader;
import java.io.Console;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code converge user add|remove|list}: edits the users file of {@code converge server --users}. */
@Command(name = "user", mixinStandardHelpOptions = true,
    description = {"Manage the users file of 'converge server --users FILE': one line per user, "
        + "name:salted-PBKDF2-hash:role. A running server re-reads the file within a second."},
    subcommands = {UserCommand.Add.class, UserCommand.Remove.class, UserCommand.ListUsers.class})
final class UserCommand implements Callable<Integer> {
  @Spec
  CommandSpec spec;

  @Override
  public Integer call() {
    spec.commandLine().usage(spec.commandLine().getErr());
    return ConvergeCli.FAILED;
  }

  @Command(name = "add", mixinStandardHelpOptions = true,
      description = {"Add a user, or replace the password and role of an existing one. The "
          + "password is read from the console (twice), or from the first line of standard input "
          + "when there is no console; it is never an argument.",
          "Roles: reader (queries and GET only), writer (also SQL writes, DDL, HTTP POST and "
              + "DELETE), admin (also backups)."})
  static final class Add implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--users", required = true, paramLabel = "FILE",
        description = "Users file (created if missing, readable by its owner only).")
    Path users;

    @Option(names = "--role", required = true, paramLabel = "reader|writer|admin",
        description = "The user's role.")
    String role;

    @Option(names = "--password-stdin",
        description = "Read the password from the first line of standard input even when there "
            + "is a console.")
    boolean passwordStdin;

    @Parameters(index = "0", paramLabel = "NAME", description = "User name.")
    String name;

    @Override
    public Integer call() throws IOException {
      Role r = Role.parse(role);
      UserFile.checkName(name);
      char[] password = readPassword(spec.commandLine().getErr(), passwordStdin);
      try {
        UserFile.checkPassword(password);
        boolean replaced = UserFile.put(users, name, password, r);
        spec.commandLine().getOut().println((replaced ? "Updated" : "Added") + " user '" + name
            + "' (" + r.label() + ") in " + users);
      } finally {
        Arrays.fill(password, '\0');
      }
      return ConvergeCli.OK;
    }
  }

  @Command(name = "remove", mixinStandardHelpOptions = true, description = "Remove a user.")
  static final class Remove implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--users", required = true, paramLabel = "FILE", description = "Users file.")
    Path users;

    @Parameters(index = "0", paramLabel = "NAME", description = "User name.")
    String name;

    @Override
    public Integer call() throws IOException {
      if (!UserFile.remove(users, name)) {
        spec.commandLine().getErr().println("converge user remove: no user '" + name + "' in "
            + users);
        return ConvergeCli.INCOMPLETE;
      }
      spec.commandLine().getOut().println("Removed user '" + name + "' from " + users);
      return ConvergeCli.OK;
    }
  }

  @Command(name = "list", mixinStandardHelpOptions = true,
      description = "List the users and their roles.")
  static final class ListUsers implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--users", required = true, paramLabel = "FILE", description = "Users file.")
    Path users;

    @Override
    public Integer call() throws IOException {
      PrintWriter out = spec.commandLine().getOut();
      for (Map.Entry<String, UserFile.Entry> e : UserFile.read(users).entrySet()) {
        out.println(e.getKey() + "\t" + e.getValue().role().label());
      }
      out.flush();
      return ConvergeCli.OK;
    }
  }

  /** From the console (asked twice) or else the first line of standard input. */
  static char[] readPassword(PrintWriter err, boolean fromStdin) throws IOException {
    Console console = System.console();
    if (console != null && !fromStdin) {
      char[] first = console.readPassword("Password: ");
      char[] again = console.readPassword("Password again: ");
      if (first == null || again == null) {
        throw new IllegalArgumentException("no password given");
      }
      try {
        if (!Arrays.equals(first, again)) {
          Arrays.fill(first, '\0');
          throw new IllegalArgumentException("the two passwords differ");
        }
      } finally {
        Arrays.fill(again, '\0');
      }
      return first;
    }
    BufferedReader in = new BufferedReader(new InputStreamReader(System.in,
        StandardCharsets.UTF_8));
    String line = in.readLine();
    if (line == null || line.isEmpty()) {
      throw new IllegalArgumentException("no password on standard input (give it as the first "
          + "line, for example: printf '%s\\n' \"$PASSWORD\" | converge user add ...)");
    }
    return line.toCharArray();
  }
}
