package dev.cairn.internal.store;

import dev.cairn.Expectation;
import dev.cairn.FailureClass;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/**
 * The checkpoint table's item layout: keys, and each item kind to and from its record. The layout
 * is what existing tables hold; changing a name here orphans their items.
 *
 * <p>Every item of a run shares {@code pk = run#<runId>}; the sort key tells the kind (see {@link
 * DynamoDbCheckpointStore} for the list). Stateless and thread-safe. Decoding is lenient about
 * absent optional attributes (they read as empty, 0 or -1) because items written by older versions
 * lack the newer ones.
 */
final class Items {
  static final String RUN_SK = "run";
  static final String STAGE_PREFIX = "stage#";
  static final String EVENT_PREFIX = "event#";
  static final String CHUNK_PREFIX = "chunk#";
  static final String PLAN_PREFIX = "plan#";
  static final String TTL = TableSetup.TTL_ATTRIBUTE;

  private Items() {}

  static String pk(String runId) {
    return "run#" + runId;
  }

  static Map<String, AttributeValue> runKey(String runId) {
    return Map.of("pk", s(pk(runId)), "sk", s(RUN_SK));
  }

  static Map<String, AttributeValue> stageKey(String runId, String stage) {
    return Map.of("pk", s(pk(runId)), "sk", s(STAGE_PREFIX + stage));
  }

  /** The sort-key prefix of the chunks of one generation of a stage. */
  static String chunkPrefix(String stage, long generation) {
    return CHUNK_PREFIX + stage + "#g" + generation + "#";
  }

  static Map<String, AttributeValue> chunkKey(String runId, ChunkTransition transition) {
    return Map.of(
        "pk",
        s(pk(runId)),
        "sk",
        s(
            chunkPrefix(transition.stage(), transition.generation())
                + String.format(Locale.ROOT, "%05d", transition.index())));
  }

  static Map<String, AttributeValue> planKey(
      String runId, String stage, String name, long generation) {
    return Map.of("pk", s(pk(runId)), "sk", s(PLAN_PREFIX + stage + "#" + name + "#" + generation));
  }

  /** The item {@code openRun} puts: a run with no lease, at epoch 0. */
  static Map<String, AttributeValue> runItem(NewRun run) {
    Map<String, AttributeValue> item = new HashMap<>(runKey(run.runId()));
    item.put("gpk", s(RUN_SK));
    item.put("runId", s(run.runId()));
    item.put("job", s(run.job()));
    item.put("runKey", s(run.runKey()));
    item.put("parameters", parameters(run.parameters()));
    item.put("parametersHash", s(run.parametersHash()));
    item.put("codeVersion", s(run.codeVersion()));
    item.put("status", s(RunStatus.RUNNING.name()));
    item.put("epoch", n(0));
    item.put("leaseExpiresAt", n(0));
    item.put("createdAt", n(run.createdAt().toEpochMilli()));
    item.put("updatedAt", n(run.createdAt().toEpochMilli()));
    return item;
  }

  static AttributeValue parameters(Map<String, String> parameters) {
    Map<String, AttributeValue> params = new HashMap<>();
    parameters.forEach((k, v) -> params.put(k, s(v)));
    return AttributeValue.fromM(params);
  }

  static RunRecord toRun(Map<String, AttributeValue> item) {
    Map<String, String> params = new LinkedHashMap<>();
    AttributeValue p = item.get("parameters");
    if (p != null && p.hasM()) {
      p.m().forEach((k, v) -> params.put(k, v.s()));
    }
    Optional<LeaseHolder> holder =
        item.containsKey("leaseOwner")
            ? Optional.of(
                new LeaseHolder(
                    str(item, "leaseOwner"),
                    str(item, "leaseHost"),
                    num(item, "leasePid"),
                    Instant.ofEpochMilli(num(item, "leaseProcessStart")),
                    str(item, "leaseMachine")))
            : Optional.empty();
    return new RunRecord(
        str(item, "runId"),
        str(item, "job"),
        str(item, "runKey"),
        params,
        str(item, "parametersHash"),
        str(item, "codeVersion"),
        RunStatus.valueOf(str(item, "status")),
        num(item, "epoch"),
        holder,
        Instant.ofEpochMilli(num(item, "leaseExpiresAt")),
        Instant.ofEpochMilli(num(item, "leaseSince")),
        Instant.ofEpochMilli(num(item, "createdAt")),
        Instant.ofEpochMilli(num(item, "updatedAt")),
        str(item, "reason"),
        item.containsKey(TTL)
            ? Optional.of(Instant.ofEpochSecond(num(item, TTL)))
            : Optional.empty(),
        item.containsKey("reruns") && item.get("reruns").hasL()
            ? item.get("reruns").l().stream().map(r -> toRerun(r.m())).toList()
            : List.of(),
        failureClass(item, "reasonClass"));
  }

  /** A failure class by name; empty when absent or of a name this version does not know. */
  private static Optional<FailureClass> failureClass(
      Map<String, AttributeValue> item, String name) {
    if (!item.containsKey(name)) {
      return Optional.empty();
    }
    String value = item.get(name).s();
    return Arrays.stream(FailureClass.values()).filter(c -> c.name().equals(value)).findFirst();
  }

  static StageRecord toStage(Map<String, AttributeValue> item) {
    return new StageRecord(
        str(item, "runId"),
        str(item, "stage"),
        StageStatus.valueOf(str(item, "status")),
        (int) num(item, "attempts"),
        str(item, "outputTable"),
        str(item, "txnAppId"),
        num(item, "txnVersion"),
        numOr(item, "baseVersion", -1),
        numOr(item, "outputVersion", -1),
        numOr(item, "rowsWritten", -1),
        bool(item, "recovered"),
        bool(item, "skippedDuplicate"),
        num(item, "epoch"),
        str(item, "transitionId"),
        instant(item, "startedAt"),
        instant(item, "finishedAt"),
        Optional.ofNullable(item.get("errorClass")).map(AttributeValue::s),
        Optional.ofNullable(item.get("errorMessage")).map(AttributeValue::s),
        checks(item.get("checks")),
        metrics(item.get("metrics")),
        chunkPlan(item));
  }

  /**
   * The frozen chunk plan of a stage item: units in {@code chunkPlan}, where chunks start in {@code
   * chunkStarts} (absent in plans recorded before the runtime sized chunks: one chunk per unit),
   * and why in {@code chunkDecision}.
   */
  static ChunkPlan chunkPlan(Map<String, AttributeValue> item) {
    if (!item.containsKey("chunkPlan") || !item.get("chunkPlan").hasL()) {
      return ChunkPlan.NONE;
    }
    List<String> units = item.get("chunkPlan").l().stream().map(AttributeValue::s).toList();
    if (!item.containsKey("chunkStarts") || !item.get("chunkStarts").hasL()) {
      return ChunkPlan.oneChunkPerUnit(units);
    }
    List<Integer> starts =
        item.get("chunkStarts").l().stream().map(v -> Integer.parseInt(v.n())).toList();
    return new ChunkPlan(units, starts, decision(item.get("chunkDecision")));
  }

  /**
   * The attributes of {@code plan}: {@code chunkPlan}, {@code chunkStarts}, {@code chunkDecision}.
   */
  static Map<String, AttributeValue> chunkPlanValues(ChunkPlan plan) {
    Map<String, AttributeValue> values = new HashMap<>();
    values.put("chunkPlan", AttributeValue.fromL(plan.units().stream().map(Items::s).toList()));
    values.put("chunkStarts", AttributeValue.fromL(plan.starts().stream().map(i -> n(i)).toList()));
    plan.decision().ifPresent(d -> values.put("chunkDecision", decisionValue(d)));
    return values;
  }

  private static AttributeValue decisionValue(ChunkDecision d) {
    Map<String, AttributeValue> map = new HashMap<>();
    map.put("units", n(d.units()));
    map.put("chunks", n(d.chunks()));
    map.put("totalWeight", n(d.totalWeight()));
    map.put("fixedCostSeconds", real(d.fixedCostSeconds()));
    map.put("fixedCostBasis", s(d.fixedCostBasis()));
    map.put("expectedSeconds", real(d.expectedSeconds()));
    map.put("expectedBasis", s(d.expectedBasis()));
    map.put("mtbiSeconds", real(d.mtbiSeconds()));
    map.put("tauSeconds", real(d.tauSeconds()));
    map.put("capSeconds", real(d.capSeconds()));
    map.put("capBasis", s(d.capBasis()));
    map.put("overheadBudget", real(d.overheadBudget()));
    map.put("targetSeconds", real(d.targetSeconds()));
    return AttributeValue.fromM(map);
  }

  private static Optional<ChunkDecision> decision(AttributeValue value) {
    if (value == null || !value.hasM()) {
      return Optional.empty();
    }
    Map<String, AttributeValue> m = value.m();
    return Optional.of(
        new ChunkDecision(
            (int) num(m, "units"),
            (int) num(m, "chunks"),
            num(m, "totalWeight"),
            real(m, "fixedCostSeconds"),
            str(m, "fixedCostBasis"),
            real(m, "expectedSeconds"),
            str(m, "expectedBasis"),
            real(m, "mtbiSeconds"),
            real(m, "tauSeconds"),
            real(m, "capSeconds"),
            str(m, "capBasis"),
            real(m, "overheadBudget"),
            real(m, "targetSeconds")));
  }

  /** A number that may be NaN, which DynamoDB numbers cannot hold: kept as the string "NaN". */
  private static AttributeValue real(double value) {
    return Double.isNaN(value) ? s("NaN") : AttributeValue.fromN(Double.toString(value));
  }

  private static double real(Map<String, AttributeValue> m, String name) {
    AttributeValue v = m.get(name);
    if (v == null) {
      return Double.NaN;
    }
    return v.n() != null ? Double.parseDouble(v.n()) : Double.NaN;
  }

  static ChunkRecord toChunk(Map<String, AttributeValue> item) {
    return new ChunkRecord(
        str(item, "runId"),
        str(item, "stage"),
        num(item, "generation"),
        (int) num(item, "chunkIndex"),
        str(item, "chunk"),
        ChunkRecord.ChunkStatus.valueOf(str(item, "status")),
        (int) numOr(item, "executions", 0),
        numOr(item, "outputVersion", -1),
        numOr(item, "rowsWritten", -1),
        bool(item, "recovered"),
        num(item, "epoch"),
        str(item, "transitionId"),
        instant(item, "startedAt"),
        instant(item, "finishedAt"));
  }

  /** {@code sk = event#<13-digit epoch millis>#<id>}: sorts by time, one item per id. */
  static Map<String, AttributeValue> eventItem(RunEvent event) {
    Map<String, AttributeValue> item = new HashMap<>();
    item.put("pk", s(pk(event.runId())));
    item.put(
        "sk",
        s(EVENT_PREFIX + String.format("%013d", event.at().toEpochMilli()) + "#" + event.id()));
    item.put("runId", s(event.runId()));
    item.put("at", n(event.at().toEpochMilli()));
    item.put("eventId", s(event.id()));
    item.put("type", s(event.type().name()));
    event.stage().ifPresent(stage -> item.put("stage", s(stage)));
    item.put("attempt", n(event.attempt()));
    item.put("epoch", n(event.epoch()));
    event.errorClass().ifPresent(c -> item.put("errorClass", s(c)));
    item.put("message", s(truncate(event.message(), 4000)));
    if (!event.details().isEmpty()) {
      Map<String, AttributeValue> details = new HashMap<>();
      event.details().forEach((key, value) -> details.put(key, s(truncate(value, 1000))));
      item.put("details", AttributeValue.fromM(details));
    }
    return item;
  }

  static RunEvent toEvent(Map<String, AttributeValue> item) {
    return new RunEvent(
        str(item, "runId"),
        Instant.ofEpochMilli(num(item, "at")),
        str(item, "eventId"),
        RunEvent.Type.valueOf(str(item, "type")),
        Optional.ofNullable(item.get("stage")).map(AttributeValue::s),
        (int) num(item, "attempt"),
        num(item, "epoch"),
        Optional.ofNullable(item.get("errorClass")).map(AttributeValue::s),
        str(item, "message"),
        eventDetails(item));
  }

  /** An event's {@code details} map of strings; empty for items written before it existed. */
  private static Map<String, String> eventDetails(Map<String, AttributeValue> item) {
    AttributeValue details = item.get("details");
    if (details == null || !details.hasM()) {
      return Map.of();
    }
    Map<String, String> out = new HashMap<>();
    details.m().forEach((key, value) -> out.put(key, value.s()));
    return out;
  }

  /** One entry of the run item's {@code reruns} list. */
  static AttributeValue rerunItem(Rerun rerun) {
    Map<String, AttributeValue> changes = new HashMap<>();
    rerun
        .parameterChanges()
        .forEach(
            (name, change) ->
                changes.put(
                    name,
                    AttributeValue.fromM(
                        Map.of("before", s(change.before()), "after", s(change.after())))));
    Map<String, AttributeValue> item = new HashMap<>();
    item.put("id", s(rerun.id()));
    item.put("at", n(rerun.at().toEpochMilli()));
    item.put("from", s(rerun.from()));
    item.put("stages", AttributeValue.fromL(rerun.stages().stream().map(Items::s).toList()));
    item.put("parameterChanges", AttributeValue.fromM(changes));
    item.put("by", s(rerun.by()));
    if (!rerun.unfinished().isEmpty()) {
      item.put(
          "unfinished", AttributeValue.fromL(rerun.unfinished().stream().map(Items::s).toList()));
    }
    return AttributeValue.fromM(item);
  }

  static Rerun toRerun(Map<String, AttributeValue> item) {
    Map<String, Rerun.ParameterChange> changes = new LinkedHashMap<>();
    AttributeValue c = item.get("parameterChanges");
    if (c != null && c.hasM()) {
      new TreeMap<>(c.m())
          .forEach(
              (name, change) ->
                  changes.put(
                      name,
                      new Rerun.ParameterChange(
                          str(change.m(), "before"), str(change.m(), "after"))));
    }
    AttributeValue stages = item.get("stages");
    AttributeValue unfinished = item.get("unfinished");
    return new Rerun(
        str(item, "id"),
        Instant.ofEpochMilli(num(item, "at")),
        str(item, "from"),
        stages != null && stages.hasL()
            ? stages.l().stream().map(AttributeValue::s).toList()
            : List.of(),
        changes,
        str(item, "by"),
        unfinished != null && unfinished.hasL()
            ? unfinished.l().stream().map(AttributeValue::s).toList()
            : List.of());
  }

  /**
   * {@code sk = plan#<stage>#<name>#<generation>} ({@code <stage>} is {@code *} for a plan of the
   * run's declared inputs); {@code plannedAt} is ISO-8601 text. The files are in {@code files}, or
   * named by {@code manifest} (location, sha256, fileCount, totalBytes) when too many for an item;
   * a Delta table's pinned version is {@code tableVersion}.
   */
  static Map<String, AttributeValue> planItem(String runId, InputPlan plan) {
    Map<String, AttributeValue> item =
        new HashMap<>(planKey(runId, plan.stage(), plan.name(), plan.generation()));
    item.put("stage", s(plan.stage()));
    item.put("name", s(plan.name()));
    item.put("generation", n(plan.generation()));
    item.put("location", s(plan.location()));
    plan.manifest()
        .ifPresentOrElse(
            m ->
                item.put(
                    "manifest",
                    AttributeValue.fromM(
                        Map.of(
                            "location", s(m.location()),
                            "sha256", s(m.sha256()),
                            "fileCount", n(m.fileCount()),
                            "totalBytes", n(m.totalBytes())))),
            () -> {
              List<AttributeValue> files = new ArrayList<>();
              for (InputPlan.PlannedFile f : plan.files()) {
                files.add(
                    AttributeValue.fromM(
                        Map.of(
                            "path", s(f.path()), "size", n(f.size()), "version", s(f.version()))));
              }
              item.put("files", AttributeValue.fromL(files));
            });
    if (plan.isTable()) {
      item.put("tableVersion", n(plan.tableVersion()));
    }
    item.put("plannedAt", s(plan.plannedAt().toString()));
    return item;
  }

  /** A plan item read by a query: its scope, name and generation from its own attributes. */
  static InputPlan toPlan(String runId, Map<String, AttributeValue> item) {
    return toPlan(runId, str(item, "stage"), str(item, "name"), num(item, "generation"), item);
  }

  static InputPlan toPlan(
      String runId, String stage, String name, long generation, Map<String, AttributeValue> item) {
    List<InputPlan.PlannedFile> files = new ArrayList<>();
    if (item.containsKey("files")) {
      for (AttributeValue f : item.get("files").l()) {
        Map<String, AttributeValue> m = f.m();
        files.add(
            new InputPlan.PlannedFile(
                m.get("path").s(), Long.parseLong(m.get("size").n()), m.get("version").s()));
      }
    }
    Optional<InputPlan.Manifest> manifest =
        Optional.ofNullable(item.get("manifest"))
            .map(AttributeValue::m)
            .map(
                m ->
                    new InputPlan.Manifest(
                        str(m, "location"),
                        str(m, "sha256"),
                        (int) num(m, "fileCount"),
                        num(m, "totalBytes")));
    return new InputPlan(
        runId,
        stage,
        name,
        generation,
        str(item, "location"),
        files,
        manifest,
        numOr(item, "tableVersion", -1),
        Instant.parse(str(item, "plannedAt")));
  }

  static AttributeValue metricsValue(StageMetrics m) {
    Map<String, AttributeValue> map = new HashMap<>();
    map.put("durationMs", n(m.durationMs()));
    map.put("recordsRead", n(m.recordsRead()));
    map.put("bytesRead", n(m.bytesRead()));
    map.put("recordsWritten", n(m.recordsWritten()));
    map.put("bytesWritten", n(m.bytesWritten()));
    map.put("shuffleBytes", n(m.shuffleBytes()));
    map.put("spillBytes", n(m.spillBytes()));
    map.put("failedTasks", n(m.failedTasks()));
    map.put("executorsLost", n(m.executorsLost()));
    map.put("sparkJobMs", n(m.sparkJobMs()));
    if (m.checkMs() >= 0) {
      map.put("checkMs", n(m.checkMs()));
    }
    return AttributeValue.fromM(map);
  }

  static StageMetrics metrics(AttributeValue value) {
    if (value == null || !value.hasM()) {
      return StageMetrics.NONE;
    }
    Map<String, AttributeValue> m = value.m();
    return new StageMetrics(
        numOr(m, "durationMs", -1),
        numOr(m, "recordsRead", -1),
        numOr(m, "bytesRead", -1),
        numOr(m, "recordsWritten", -1),
        numOr(m, "bytesWritten", -1),
        numOr(m, "shuffleBytes", -1),
        numOr(m, "spillBytes", -1),
        numOr(m, "failedTasks", -1),
        numOr(m, "executorsLost", -1),
        numOr(m, "sparkJobMs", -1),
        numOr(m, "checkMs", -1));
  }

  static AttributeValue checksValue(List<CheckResult> checks) {
    List<AttributeValue> list = new ArrayList<>();
    for (CheckResult check : checks) {
      Map<String, AttributeValue> m = new java.util.HashMap<>();
      m.put("check", s(truncate(check.check(), 400)));
      m.put("passed", AttributeValue.fromBool(check.passed()));
      m.put("detail", s(truncate(check.detail(), 1000)));
      if (check.provenByPlan()) {
        m.put("provenByPlan", AttributeValue.fromBool(true));
      }
      if (check.severity() != Expectation.Severity.ERROR) {
        m.put("severity", s(check.severity().name()));
      }
      list.add(AttributeValue.fromM(m));
    }
    return AttributeValue.fromL(list);
  }

  static List<CheckResult> checks(AttributeValue value) {
    if (value == null || !value.hasL()) {
      return List.of();
    }
    List<CheckResult> checks = new ArrayList<>();
    for (AttributeValue v : value.l()) {
      Map<String, AttributeValue> m = v.m();
      checks.add(
          new CheckResult(
              str(m, "check"),
              bool(m, "passed"),
              str(m, "detail"),
              m.containsKey("provenByPlan") && bool(m, "provenByPlan"),
              m.containsKey("severity")
                  ? Expectation.Severity.valueOf(str(m, "severity"))
                  : Expectation.Severity.ERROR));
    }
    return checks;
  }

  static AttributeValue s(String value) {
    return AttributeValue.fromS(value);
  }

  static AttributeValue n(long value) {
    return AttributeValue.fromN(Long.toString(value));
  }

  static String str(Map<String, AttributeValue> item, String name) {
    AttributeValue v = item.get(name);
    return v == null || v.s() == null ? "" : v.s();
  }

  static long num(Map<String, AttributeValue> item, String name) {
    return numOr(item, name, 0);
  }

  static long numOr(Map<String, AttributeValue> item, String name, long absent) {
    AttributeValue v = item.get(name);
    return v == null || v.n() == null ? absent : Long.parseLong(v.n());
  }

  static boolean bool(Map<String, AttributeValue> item, String name) {
    AttributeValue v = item.get(name);
    return v != null && Boolean.TRUE.equals(v.bool());
  }

  static Optional<Instant> instant(Map<String, AttributeValue> item, String name) {
    AttributeValue v = item.get(name);
    return v == null || v.n() == null
        ? Optional.empty()
        : Optional.of(Instant.ofEpochMilli(Long.parseLong(v.n())));
  }

  static String truncate(String text, int max) {
    return text.length() <= max ? text : text.substring(0, max) + "…";
  }
}
