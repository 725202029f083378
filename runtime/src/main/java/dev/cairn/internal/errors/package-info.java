/**
 * The one place Cairn's user-facing errors are built: one class per area ({@link ConfigErrors},
 * {@link JobErrors}, {@link CommandErrors}, {@link InputErrors}, {@link TableErrors}, {@link
 * RunErrors}, {@link RunbookErrors}), each a set of static methods named for the situation that
 * return the exception for the caller to throw.
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
 * <p>One user-facing error is built outside it, on purpose: the engine's {@code
 * DataQualityException}, built by its own factory {@code DataQualityException.checksFailed},
 * because it carries the store's check results (recorded with the failed stage), which this package
 * may not know.
 */
package dev.cairn.internal.errors;
