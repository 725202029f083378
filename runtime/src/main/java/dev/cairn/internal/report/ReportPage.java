package dev.cairn.internal.report;

import dev.cairn.internal.report.Bar.Outcome;
import dev.cairn.internal.report.DriverAttempt.Ending;
import dev.cairn.internal.runbook.Runbook;
import dev.cairn.internal.store.CheckResult;
import dev.cairn.internal.store.ChunkRecord;
import dev.cairn.internal.store.RunEvent;
import dev.cairn.internal.store.StageMetrics;
import dev.cairn.internal.store.StageRecord;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Locale;
import java.util.TreeMap;
import org.apache.commons.text.StringEscapeUtils;

/**
 * Renders a {@link RunReport} as one self-contained HTML page: inline CSS and SVG, no script, no
 * font or image to fetch, so it opens from disk, from an S3 link or an e-mail attachment, and
 * prints.
 *
 * <p>Written by hand: no templating library is on the driver's classpath, and the page's one
 * drawing (the timeline) is arithmetic on instants that a template would not simplify. Every text
 * that comes from a checkpoint (stage names, messages, parameters, hosts) goes through {@link
 * #text} (commons-text's HTML escaping, already on Spark's classpath); nothing else is written
 * unescaped but constants and numbers.
 */
public final class ReportPage {
  private static final DateTimeFormatter TIME =
      DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss 'UTC'", Locale.ROOT)
          .withZone(ZoneOffset.UTC);

  /** Timeline geometry, in SVG pixels. */
  private static final int WIDTH = 1200;

  private static final int LABELS = 190;
  private static final int AXIS = 28;
  private static final int LANE_HEADER = 24;
  private static final int ROW = 22;
  private static final int LANE_GAP = 10;

  private final RunReport report;
  private final StringBuilder html = new StringBuilder(32_768);
  private final Instant origin;
  private final double pxPerMs;

  private ReportPage(RunReport report) {
    this.report = report;
    this.origin =
        report.attempts().isEmpty()
            ? report.run().createdAt()
            : report.attempts().get(0).startedAt();
    Instant last = origin.plusSeconds(1);
    for (DriverAttempt a : report.attempts()) {
      last = a.lastSeenAt().isAfter(last) ? a.lastSeenAt() : last;
    }
    for (Bar b : report.bars()) {
      last = b.end().isAfter(last) ? b.end() : last;
    }
    this.pxPerMs = (WIDTH - LABELS - 20) / (double) Duration.between(origin, last).toMillis();
  }

  /** The page of {@code report}. */
  public static String render(RunReport report) {
    return new ReportPage(report).page();
  }

  /** {@code value} escaped for HTML text and double-quoted attributes. */
  static String text(String value) {
    return StringEscapeUtils.escapeHtml4(value);
  }

  private String page() {
    var run = report.run();
    html.append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n<title>")
        .append(text("Cairn run " + run.runId()))
        .append("</title>\n<style>")
        .append(CSS)
        .append("</style></head>\n<body>\n");
    html.append("<h1>Run ").append(text(run.runId())).append("</h1>\n");
    html.append("<p class=\"meta\">job <b>")
        .append(text(run.job()))
        .append("</b> &middot; status <b class=\"status-")
        .append(text(run.status().name().toLowerCase(Locale.ROOT)))
        .append("\">")
        .append(text(run.status().name()))
        .append("</b> &middot; epoch ")
        .append(run.epoch())
        .append(" &middot; key ")
        .append(text(run.runKey()))
        .append("<br>parameters ")
        .append(text(new TreeMap<>(run.parameters()).toString()))
        .append(run.reason().isEmpty() ? "" : "<br>reason " + text(run.reason()))
        .append("<br>report made ")
        .append(TIME.format(report.generatedAt()))
        .append(" from the checkpoint table</p>\n");
    summary();
    timeline();
    legend();
    attempts();
    stages();
    incidents();
    runbook();
    html.append(
        "<p class=\"meta\">Spark's own UI of each driver: start Spark's History Server on the"
            + " event log directory named above (README, \"Spark's UI after the driver died\")."
            + "</p>\n</body></html>\n");
    return html.toString();
  }

  private void summary() {
    RunReport.Summary s = report.summary();
    html.append("<section id=\"summary\"><h2>Summary</h2><dl class=\"cards\">");
    card("wall time", duration(s.wall()));
    card("drivers", Integer.toString(report.attempts().size()));
    card("work that did not commit", duration(s.notCommitted()));
    card(
        "what the kills cost",
        s.kills().isEmpty()
            ? "no kill"
            : duration(s.killCost())
                + " ("
                + s.kills().size()
                + (s.kills().size() == 1 ? " kill: " : " kills: ")
                + duration(
                    s.kills().stream()
                        .map(RunReport.KillCost::lostInFlight)
                        .reduce(Duration.ZERO, Duration::plus))
                + " of work lost, "
                + duration(
                    s.kills().stream()
                        .map(RunReport.KillCost::withoutDriver)
                        .reduce(Duration.ZERO, Duration::plus))
                + " without a driver)");
    card("chunks re-executed", Integer.toString(s.reexecutedChunks()));
    card(
        "recovered without recomputing",
        s.recoveredStages() + " stages, " + s.recoveredChunks() + " chunks");
    card("skipped as duplicate", s.duplicateStages() + " stages");
    card("retries", Integer.toString(s.retries()));
    html.append("</dl></section>\n");
  }

  private void card(String name, String value) {
    html.append("<div><dt>")
        .append(text(name))
        .append("</dt><dd>")
        .append(text(value))
        .append("</dd></div>");
  }

  private void timeline() {
    List<String> names = report.stageNames();
    int height = AXIS;
    for (DriverAttempt a : report.attempts()) {
      height += LANE_HEADER + ROW * Math.max(1, stagesOn(a, names).size()) + LANE_GAP;
    }
    html.append(
            "<section id=\"timeline\"><h2>Timeline</h2>\n<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"")
        .append(WIDTH)
        .append("\" height=\"")
        .append(height)
        .append("\" viewBox=\"0 0 ")
        .append(WIDTH)
        .append(' ')
        .append(height)
        .append("\" role=\"img\" aria-label=\"timeline of the run's driver attempts\">\n");
    axis(height);
    int y = AXIS;
    List<DriverAttempt> attempts = report.attempts();
    for (int i = 0; i < attempts.size(); i++) {
      DriverAttempt a = attempts.get(i);
      List<String> rows = stagesOn(a, names);
      int laneHeight = LANE_HEADER + ROW * Math.max(1, rows.size());
      lane(a, i + 1 < attempts.size() ? attempts.get(i + 1) : null, rows, y, laneHeight);
      y += laneHeight + LANE_GAP;
    }
    html.append("</svg></section>\n");
  }

  private List<String> stagesOn(DriverAttempt a, List<String> names) {
    return names.stream()
        .filter(
            n ->
                report.bars().stream().anyMatch(b -> b.epoch() == a.epoch() && b.stage().equals(n)))
        .toList();
  }

  private void axis(int height) {
    long spanMs = (long) ((WIDTH - LABELS - 20) / pxPerMs);
    long step = 1000;
    for (long candidate :
        new long[] {1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 14400, 43200}) {
      step = candidate * 1000;
      if (spanMs / step <= 12) {
        break;
      }
    }
    for (long t = 0; t <= spanMs; t += step) {
      double x = x(origin.plusMillis(t));
      html.append(
              String.format(
                  Locale.ROOT,
                  "<line class=\"tick\" x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\"/>",
                  x,
                  AXIS - 6,
                  x,
                  height))
          .append(
              String.format(Locale.ROOT, "<text class=\"tick\" x=\"%.1f\" y=\"%d\">", x, AXIS - 10))
          .append(text(duration(Duration.ofMillis(t))))
          .append("</text>\n");
    }
  }

  private void lane(DriverAttempt a, DriverAttempt next, List<String> rows, int y, int height) {
    html.append("<g class=\"lane ended-")
        .append(a.ending().name().toLowerCase(Locale.ROOT).replace('_', '-'))
        .append("\" data-epoch=\"")
        .append(a.epoch())
        .append("\">\n");
    html.append(
        String.format(
            Locale.ROOT,
            "<rect class=\"lane-bg\" x=\"0\" y=\"%d\" width=\"%d\" height=\"%d\"/>",
            y,
            WIDTH,
            height));
    double start = x(a.startedAt());
    double end = Math.max(start + 2, x(a.lastSeenAt()));
    html.append(
        String.format(
            Locale.ROOT,
            "<rect class=\"alive\" x=\"%.1f\" y=\"%d\" width=\"%.1f\" height=\"%d\"/>",
            start,
            y + 2,
            end - start,
            height - 4));
    if (next != null && a.ending() == Ending.KILLED) {
      double nextStart = x(next.startedAt());
      if (nextStart > end) {
        html.append(
                String.format(
                    Locale.ROOT,
                    "<rect class=\"down\" x=\"%.1f\" y=\"%d\" width=\"%.1f\" height=\"%d\"><title>",
                    end,
                    y + 2,
                    nextStart - end,
                    height - 4))
            .append(
                text(
                    "no driver for "
                        + duration(Duration.between(a.lastSeenAt(), next.startedAt()))
                        + " (killed; the next driver took the lease)"))
            .append("</title></rect>");
      }
    }
    html.append(String.format(Locale.ROOT, "<text class=\"lane-title\" x=\"6\" y=\"%d\">", y + 16))
        .append(
            text(
                "epoch "
                    + a.epoch()
                    + " · "
                    + a.describeDriver()
                    + " · "
                    + a.ending().label()
                    + a.sparkAppId().map(id -> " · Spark " + id).orElse("")
                    + (a.committedBefore().isEmpty()
                        ? ""
                        : " · skipped (committed before): "
                            + String.join(", ", a.committedBefore()))))
        .append("</text>\n");
    int row = y + LANE_HEADER;
    for (String stage : rows) {
      html.append(
              String.format(Locale.ROOT, "<text class=\"stage-name\" x=\"12\" y=\"%d\">", row + 15))
          .append(text(stage))
          .append("</text>\n");
      for (Bar bar : report.bars()) {
        if (bar.epoch() == a.epoch() && bar.stage().equals(stage)) {
          bar(bar, row);
        }
      }
      row += ROW;
    }
    String mark =
        switch (a.ending()) {
          case KILLED -> "✕ killed";
          case INTERRUPTED -> "⏸ interrupted";
          case LEASE_LOST -> "⚠ lease lost";
          case FAILED -> "✕ failed";
          case SUCCEEDED -> "✓ succeeded";
          case RUNNING -> "▶ running";
        };
    html.append(
            String.format(
                Locale.ROOT,
                "<line class=\"end end-%s\" x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\"/>",
                a.ending().name().toLowerCase(Locale.ROOT),
                end,
                y + 2,
                end,
                y + height - 2))
        .append(
            String.format(
                Locale.ROOT,
                "<text class=\"end-label end-%s\" x=\"%.1f\" y=\"%d\">",
                a.ending().name().toLowerCase(Locale.ROOT),
                Math.min(end + 4, WIDTH - 90.0),
                y + height - 6))
        .append(text(mark))
        .append("<title>")
        .append(text(a.endNote()))
        .append("</title></text>\n");
    html.append("</g>\n");
  }

  private void bar(Bar bar, int row) {
    double x = x(bar.start());
    double w = Math.max(3, bar.duration().toMillis() * pxPerMs);
    boolean chunk = bar.chunk().isPresent();
    int top = chunk ? row + 12 : row + 2;
    int h = chunk ? 8 : 9;
    html.append(
            String.format(
                Locale.ROOT,
                "<rect class=\"bar %s%s\" data-stage=\"%s\"%s x=\"%.1f\" y=\"%d\" width=\"%.1f\" height=\"%d\"><title>",
                bar.outcome().cssClass(),
                chunk ? " chunk" : "",
                text(bar.stage()),
                chunk ? " data-chunk=\"" + bar.chunk().getAsInt() + "\"" : "",
                x,
                top,
                w,
                h))
        .append(
            text(
                bar.stage()
                    + " · "
                    + bar.outcome().label()
                    + " · "
                    + duration(bar.duration())
                    + " · "
                    + bar.detail()))
        .append("</title></rect>\n");
  }

  private double x(Instant at) {
    return LABELS + Math.max(0, Duration.between(origin, at).toMillis()) * pxPerMs;
  }

  private void legend() {
    html.append("<p class=\"legend\">");
    for (Outcome o : Outcome.values()) {
      html.append("<span><i class=\"")
          .append(o.cssClass())
          .append("\"></i>")
          .append(text(o.label()))
          .append("</span>");
    }
    html.append(
        "<span><i class=\"downkey\"></i>no driver</span>"
            + "<span>upper bar: stage attempt; lower bars: its chunks</span></p>\n");
  }

  private void attempts() {
    html.append(
        "<section id=\"attempts\"><h2>Driver attempts</h2><table><tr><th>epoch</th><th>host</th><th>pid</th><th>started</th><th>last seen</th><th>ended</th><th>note</th><th>Spark application</th><th>event log</th></tr>\n");
    for (DriverAttempt a : report.attempts()) {
      html.append("<tr class=\"attempt ended-")
          .append(a.ending().name().toLowerCase(Locale.ROOT))
          .append("\"><td>")
          .append(a.epoch())
          .append("</td><td>")
          .append(text(a.host()))
          .append("</td><td>")
          .append(a.pid() < 0 ? "?" : Long.toString(a.pid()))
          .append("</td><td>")
          .append(TIME.format(a.startedAt()))
          .append("</td><td>")
          .append(TIME.format(a.lastSeenAt()))
          .append("</td><td>")
          .append(text(a.ending().label()))
          .append("</td><td>")
          .append(text(a.endNote()))
          .append("</td><td>")
          .append(text(a.sparkAppId().orElse("-")))
          .append("</td><td>")
          .append(text(a.eventLogDir().orElse("-")))
          .append("</td></tr>\n");
    }
    html.append("</table></section>\n");
  }

  private void stages() {
    html.append(
        "<section id=\"stages\"><h2>Stages</h2><table><tr><th>stage</th><th>status</th><th>attempts</th><th>version</th><th>rows</th><th>outcome</th><th>duration</th><th>read</th><th>written</th><th>shuffle</th><th>spill</th><th>failed tasks</th><th>executors lost</th></tr>\n");
    for (StageRecord s : report.stages()) {
      StageMetrics m = s.metrics();
      html.append("<tr class=\"stage\" data-stage=\"")
          .append(text(s.stage()))
          .append("\"><td>")
          .append(text(s.stage()))
          .append("</td><td>")
          .append(text(s.status().name()))
          .append("</td><td>")
          .append(s.attempts())
          .append("</td><td>")
          .append(s.outputVersion() < 0 ? "-" : Long.toString(s.outputVersion()))
          .append("</td><td>")
          .append(s.rowsWritten() < 0 ? "-" : Long.toString(s.rowsWritten()))
          .append("</td><td>")
          .append(
              s.recovered()
                  ? "recovered from the Delta log"
                  : s.skippedDuplicate() ? "skipped as duplicate" : "")
          .append("</td><td>")
          .append(m.durationMs() < 0 ? "-" : text(duration(Duration.ofMillis(m.durationMs()))))
          .append("</td><td>")
          .append(count(m.recordsRead(), " rows"))
          .append(" / ")
          .append(bytes(m.bytesRead()))
          .append("</td><td>")
          .append(count(m.recordsWritten(), " rows"))
          .append(" / ")
          .append(bytes(m.bytesWritten()))
          .append("</td><td>")
          .append(bytes(m.shuffleBytes()))
          .append("</td><td>")
          .append(bytes(m.spillBytes()))
          .append("</td><td>")
          .append(count(m.failedTasks(), ""))
          .append("</td><td>")
          .append(count(m.executorsLost(), ""))
          .append("</td></tr>\n");
      List<ChunkRecord> chunks = report.chunks().getOrDefault(s.stage(), List.of());
      if (s.chunked()) {
        long committed =
            chunks.stream().filter(c -> c.status() == ChunkRecord.ChunkStatus.COMMITTED).count();
        html.append("<tr class=\"detail\"><td></td><td colspan=\"12\">chunks: ")
            .append(committed)
            .append('/')
            .append(s.chunkPlan().size())
            .append(" committed, ")
            .append(chunks.stream().mapToInt(ChunkRecord::reexecutions).sum())
            .append(" re-executed, ")
            .append(chunks.stream().filter(ChunkRecord::recovered).count())
            .append(" recovered without recomputing</td></tr>\n");
      }
      s.errorClass()
          .ifPresent(
              c ->
                  html.append("<tr class=\"detail error\"><td></td><td colspan=\"12\">error (")
                      .append(text(c))
                      .append("): ")
                      .append(text(s.errorMessage().orElse("")))
                      .append("</td></tr>\n"));
      for (CheckResult check : s.checks()) {
        html.append("<tr class=\"detail check-")
            .append(check.passed() ? "passed" : "failed")
            .append("\"><td></td><td colspan=\"12\">check ")
            .append(check.passed() ? "passed" : check.blocks() ? "FAILED" : "WARNED")
            .append(' ')
            .append(text(check.check()))
            .append(": ")
            .append(text(check.detail()))
            .append("</td></tr>\n");
      }
    }
    html.append("</table></section>\n");
  }

  private void incidents() {
    if (report.incidents().isEmpty()) {
      return;
    }
    html.append(
        "<section id=\"retries\"><h2>Retries and failures</h2><table><tr><th>at</th><th>epoch</th><th>stage</th><th>attempt</th><th>what</th><th>class</th><th>cause</th></tr>\n");
    for (RunEvent e : report.incidents()) {
      html.append("<tr><td>")
          .append(TIME.format(e.at()))
          .append("</td><td>")
          .append(e.epoch())
          .append("</td><td>")
          .append(text(e.stage().orElse("")))
          .append("</td><td>")
          .append(e.attempt())
          .append("</td><td>")
          .append(e.type() == RunEvent.Type.STAGE_RETRY ? "retried" : "failed")
          .append("</td><td>")
          .append(text(e.errorClass().orElse("")))
          .append("</td><td>")
          .append(text(e.message()))
          .append("</td></tr>\n");
    }
    html.append("</table></section>\n");
  }

  private void runbook() {
    if (report.runbook().isEmpty()) {
      return;
    }
    html.append("<section id=\"runbook\"><h2>Runbook</h2>\n");
    for (Runbook.Section section : report.runbook().get().sections()) {
      html.append("<h3>")
          .append(
              text(
                  section.stage().map(s -> "Stage " + s + " failed: ").orElse("")
                      + section.failureClass()))
          .append("</h3>\n<p>")
          .append(text(section.message()))
          .append("</p>\n<pre>")
          .append(text(section.text().strip()))
          .append("</pre>\n");
    }
    html.append("</section>\n");
  }

  private static String count(long n, String unit) {
    return n < 0 ? "-" : String.format(Locale.ROOT, "%,d%s", n, unit);
  }

  private static String bytes(long n) {
    return Sizes.bytes(n);
  }

  /** "850 ms", "12.3 s", "4 min 05 s", "1 h 02 min". */
  static String duration(Duration d) {
    long ms = d.toMillis();
    if (ms < 1000) {
      return ms + " ms";
    }
    if (ms < 60_000) {
      return String.format(Locale.ROOT, "%.1f s", ms / 1000.0);
    }
    long s = ms / 1000;
    if (s < 3600) {
      return String.format(Locale.ROOT, "%d min %02d s", s / 60, s % 60);
    }
    return String.format(Locale.ROOT, "%d h %02d min", s / 3600, (s % 3600) / 60);
  }

  private static final String CSS =
      """
      body{font:14px/1.4 system-ui,-apple-system,"Segoe UI",sans-serif;margin:24px;color:#1d2433}
      h1{font-size:20px;margin:0 0 4px} h2{font-size:16px;margin:24px 0 8px}
      .meta{color:#555} .status-succeeded{color:#1a7f37} .status-failed{color:#c62828}
      .status-interrupted,.status-running{color:#b26a00}
      dl.cards{display:flex;flex-wrap:wrap;gap:10px;margin:0} dl.cards div{border:1px solid #d8dee4;border-radius:6px;padding:6px 10px;min-width:140px}
      dt{font-size:12px;color:#57606a} dd{margin:0;font-weight:600}
      svg{border:1px solid #d8dee4;border-radius:6px;background:#fff}
      .lane-bg{fill:#f6f8fa} .alive{fill:#eaeef2} .down{fill:#fbe9e7;stroke:#e57373;stroke-dasharray:4 3}
      .lane-title{font-weight:600;font-size:12px} .stage-name{font-size:12px;fill:#24292f}
      line.tick{stroke:#d0d7de;stroke-width:1} text.tick{font-size:11px;fill:#57606a;text-anchor:middle}
      line.end{stroke-width:3} line.end-killed,line.end-failed{stroke:#c62828} line.end-interrupted,line.end-lease_lost{stroke:#ef6c00}
      line.end-succeeded{stroke:#1a7f37} line.end-running{stroke:#1f6feb}
      text.end-label{font-size:12px;font-weight:700} text.end-killed,text.end-failed{fill:#c62828}
      text.end-interrupted,text.end-lease_lost{fill:#ef6c00} text.end-succeeded{fill:#1a7f37} text.end-running{fill:#1f6feb}
      .bar{stroke:#fff;stroke-width:.5}
      .committed{fill:#2e7d32;background:#2e7d32} .recovered{fill:#1976d2;background:#1976d2}
      .reexecuted{fill:#f9a825;background:#f9a825} .duplicate{fill:#7b1fa2;background:#7b1fa2}
      .retried{fill:#ef6c00;background:#ef6c00} .failed{fill:#c62828;background:#c62828}
      .lost{fill:#e57373;background:#e57373} .interrupted{fill:#8d6e63;background:#8d6e63}
      .running{fill:#64b5f6;background:#64b5f6} .downkey{background:#fbe9e7;border:1px dashed #e57373}
      .legend span{margin-right:14px;font-size:12px;white-space:nowrap}
      .legend i{display:inline-block;width:12px;height:12px;margin-right:4px;vertical-align:-2px;border-radius:2px}
      table{border-collapse:collapse;font-size:12px} th,td{border-bottom:1px solid #eaeef2;padding:3px 8px;text-align:left;vertical-align:top}
      th{background:#f6f8fa} tr.detail td{color:#57606a;border-bottom:none} tr.error td,tr.check-failed td{color:#c62828}
      pre{background:#f6f8fa;border:1px solid #d8dee4;border-radius:6px;padding:10px;white-space:pre-wrap}
      """;
}
