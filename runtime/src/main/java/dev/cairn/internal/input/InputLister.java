package dev.cairn.internal.input;

import dev.cairn.internal.store.InputPlan.PlannedFile;
import java.io.IOException;
import java.util.List;

/** Lists the data files under a path or URI, with what identifies each one's content. */
public interface InputLister {

  /**
   * The data files at {@code location} (the file itself, or every file under the directory, except
   * hidden ones: names starting with {@code _} or {@code .}, as Spark skips them), sorted by path.
   *
   * @throws java.io.FileNotFoundException when nothing exists at {@code location}
   * @throws IOException when the listing fails
   */
  List<PlannedFile> list(String location) throws IOException;
}
