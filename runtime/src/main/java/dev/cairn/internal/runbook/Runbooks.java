package dev.cairn.internal.runbook;

import dev.cairn.CairnException;
import dev.cairn.internal.errors.RunbookErrors;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The runbook entries {@code cairn runbook} prints: one Markdown file per failure class, {@code
 * <class in lower case>.md}, looked up first in the operator's directory ({@code CAIRN_RUNBOOKS},
 * default {@code $CAIRN_HOME/runbooks}), then among the entries bundled in the runtime jar ({@code
 * src/runbooks/}, on the classpath under {@code runbooks/}); {@code default.md} (again the
 * operator's first) serves a class with no entry of its own.
 *
 * <p>An entry is a template: {@code {name}} is replaced by that value; {@code {#name}...{/name}}
 * keeps its text only when {@code name} has a non-empty value, {@code {^name}...{/name}} only when
 * it has not. Braces that name no known value are left as they are. Immutable and thread-safe.
 */
public final class Runbooks {
  private static final String BUNDLED = "runbooks/";
  private static final Pattern SECTION =
      Pattern.compile("\\{([#^])([A-Za-z][A-Za-z0-9]*)\\}(.*?)\\{/\\2\\}", Pattern.DOTALL);
  private static final Pattern VALUE = Pattern.compile("\\{([A-Za-z][A-Za-z0-9]*)\\}");

  private final Path operatorDir;
  private final ClassLoader bundle;

  private Runbooks(Path operatorDir, ClassLoader bundle) {
    this.operatorDir = operatorDir;
    this.bundle = bundle;
  }

  /** Entries from {@code operatorDir} (which need not exist), then the bundled ones. */
  public static Runbooks of(Path operatorDir) {
    return new Runbooks(operatorDir, Runbooks.class.getClassLoader());
  }

  /**
   * One entry as found.
   *
   * @param name the file's name, e.g. {@code bad_input.md}
   * @param source where it came from: the operator's file path, or {@code bundled}
   */
  public record Entry(String name, String source, String template) {}

  /**
   * The entry for a failure class (any case; characters other than letters, digits and {@code _}
   * become {@code _}), or the default entry when the class has none.
   *
   * @throws CairnException when not even a default entry exists (a broken installation)
   */
  public Entry entry(String failureClass) {
    String name = fileName(failureClass);
    return find(name)
        .or(() -> find("default.md"))
        .orElseThrow(() -> RunbookErrors.noEntry(name, operatorDir));
  }

  /** The file name of a class's entry. */
  static String fileName(String failureClass) {
    String cleaned =
        failureClass == null || failureClass.isBlank()
            ? "default"
            : failureClass.strip().toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9_]", "_");
    return cleaned + ".md";
  }

  private Optional<Entry> find(String name) {
    Path own = operatorDir.resolve(name);
    if (Files.isRegularFile(own)) {
      try {
        return Optional.of(new Entry(name, own.toString(), Files.readString(own)));
      } catch (IOException e) {
        throw RunbookErrors.entryUnreadable(own, e);
      }
    }
    try (InputStream in = bundle.getResourceAsStream(BUNDLED + name)) {
      if (in == null) {
        return Optional.empty();
      }
      return Optional.of(
          new Entry(name, "bundled", new String(in.readAllBytes(), StandardCharsets.UTF_8)));
    } catch (IOException e) {
      throw new UncheckedIOException("reading the bundled runbook entry " + name, e);
    }
  }

  /** Fills {@code template} with {@code values} (see the class comment for the syntax). */
  public static String render(String template, Map<String, String> values) {
    Matcher sections = SECTION.matcher(template);
    StringBuilder kept = new StringBuilder();
    while (sections.find()) {
      String value = values.get(sections.group(2));
      boolean present = value != null && !value.isEmpty();
      boolean keep = sections.group(1).equals("#") == present;
      // Sections may nest: render what is kept the same way.
      sections.appendReplacement(
          kept, Matcher.quoteReplacement(keep ? render(sections.group(3), values) : ""));
    }
    sections.appendTail(kept);
    Matcher placeholders = VALUE.matcher(kept);
    StringBuilder out = new StringBuilder();
    while (placeholders.find()) {
      String value = values.get(placeholders.group(1));
      placeholders.appendReplacement(
          out, Matcher.quoteReplacement(value != null ? value : placeholders.group()));
    }
    placeholders.appendTail(out);
    return out.toString();
  }
}
