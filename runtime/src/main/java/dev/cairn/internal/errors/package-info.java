/**
 * The one place Cairn's user-facing errors are built: one class per area, each a set of static
 * methods named for the situation that return the exception for the caller to throw:
 *
 * <ul>
 *   <li>{@link ConfigErrors}: the settings a driver is given (environment, Spark, warehouse, the
 *       embedded checkpoint store);
 *   <li>{@link JobErrors}: a job's declaration, and the parameters of a run or a rerun;
 *   <li>{@link CommandErrors}: a {@code cairn} command's options;
 *   <li>{@link RunErrors}: a run (unknown, held, interrupted, its lease break refused) and its
 *       stages' failures;
 *   <li>{@link InputErrors}: a stage's inputs, at planning and at verification;
 *   <li>{@link TableErrors}: the output tables' writes and the write fence;
 *   <li>{@link StoreErrors}: the checkpoint store's lease, outcome and table errors;
 *   <li>{@link RunbookErrors}: {@code cairn runbook}'s entries.
 * </ul>
 *
 * <p>The rules, after Delta Kernel's {@code EXCEPTION_PRINCIPLES.md}:
 *
 * <ol>
 *   <li>Every message says the problem, why it happened where that is known, and how to fix it:
 *       {@code "<problem>. Fix: <fix>"}, naming the run, stage, input, table or setting concerned.
 *   <li>Every error is a {@link dev.cairn.CairnException} carrying its {@link
 *       dev.cairn.FailureClass} when the situation decides it; one whose class depends on its cause
 *       (a wrapped I/O error may be a throttled request) is left unclassified, so the cause chain
 *       decides.
 *   <li>Vendor exceptions (Spark, Delta, Hadoop, AWS SDK) appear only as the cause, never as the
 *       type thrown.
 *   <li>Programming errors stay plain {@link IllegalArgumentException} or {@link
 *       IllegalStateException} at their site; they are not built here.
 * </ol>
 *
 * <p>This package depends only on the public API ({@code dev.cairn}) and the JDK, so every layer
 * may use it (see {@code docs/ARCHITECTURE.md}, "Allowed dependency direction"). Values are passed
 * as plain strings, numbers and paths, not as the records of the layers that use it.
 *
 * <p>The deliberate exceptions, where this package may not name the type thrown:
 *
 * <ul>
 *   <li>the engine's {@code DataQualityException} is built, message and all, by its own factory
 *       {@code DataQualityException.checksFailed}: it carries the store's check results (recorded
 *       with the failed stage), which this package may not know;
 *   <li>the store's own types, {@code StoreUnavailableException} and {@code
 *       IllegalTransitionException}, are constructed in the store, with messages built here ({@code
 *       StoreErrors.*Message}); a message-only method returns a {@code String}, as {@link
 *       TableErrors#fencedCommitRefused} does for the write fence's refusal.
 * </ul>
 *
 * <p>{@code PackageDependenciesTest.cairnErrors_areBuiltOnlyInTheErrorsPackage} enforces it: no
 * main class outside this package and the public API calls a constructor of a {@link
 * dev.cairn.CairnException}, but those listed there.
 */
package dev.cairn.internal.errors;
