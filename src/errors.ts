/**
 * Error classes. Every error a user can cause by their input is a {@link BackstopInputError}: the CLI
 * maps it to exit code 2 and prints its message, which names the field or file and what is allowed.
 */

/** One problem with an input: the dotted path of the field (or a file name) and what is wrong. */
export interface InputIssue {
  /** Dotted path of the offending field, e.g. `market.index.sigma`; a file path for file errors. */
  path: string;
  /** What is wrong and what is allowed. */
  message: string;
}

/** Base class of every error caused by bad user input (config, experiment file, CSV, flag). */
export class BackstopInputError extends Error {
  readonly issues: InputIssue[];
  constructor(issues: InputIssue[], heading = 'invalid input') {
    super(`${heading}:\n${issues.map((i) => `  - ${i.path ? `${i.path}: ` : ''}${i.message}`).join('\n')}`);
    this.name = 'BackstopInputError';
    this.issues = issues;
  }
}

/** A configuration that failed validation. `issues` lists every problem found, not only the first. */
export class ConfigError extends BackstopInputError {
  constructor(issues: InputIssue[]) {
    super(issues, 'invalid configuration');
    this.name = 'ConfigError';
  }
}

/** A data file (e.g. a price CSV) that cannot be used; the message names the file and line. */
export class DataFileError extends BackstopInputError {
  constructor(file: string, message: string) {
    super([{ path: file, message }], 'invalid data file');
    this.name = 'DataFileError';
  }
}
