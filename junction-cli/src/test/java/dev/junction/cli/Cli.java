package dev.junction.cli;

import java.io.PrintWriter;
import java.io.StringWriter;
import picocli.CommandLine;

/** The {@code junction} command line run in-process, as a user runs it, with what it printed kept. */
final class Cli {

  private final StringWriter out = new StringWriter();
  private final StringWriter err = new StringWriter();

  /** Runs one command; its output adds to what earlier runs printed. @return its exit code */
  int run(String... args) {
    CommandLine cli = Main.commandLine(args.length == 0 ? "" : args[0]);
    cli.setOut(new PrintWriter(out, true));
    cli.setErr(new PrintWriter(err, true));
    return cli.execute(args);
  }

  String out() {
    return out.toString();
  }

  String err() {
    return err.toString();
  }
}
